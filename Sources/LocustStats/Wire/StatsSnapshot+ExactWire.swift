import MessagePack

/// The exact form of a snapshot on the coordinator's wire (our slaves → our master, beside Locust's own
/// payload): every entry with its microsecond histogram in sparse form, the errors, the exceptions, the
/// last seconds' histograms and the interrupted count, as positional MessagePack arrays (compact, and
/// decoded without a key lookup per field). Merging it is exact, unlike Locust's rounded buckets.
extension StatsSnapshot {
    /// The version of this form, written first; a decoder refuses others.
    static let exactWireVersion = 1

    /// Writes the exact form.
    public func writeExact(into writer: inout MessagePackWriter) {
        // A 9th element only in open-model runs: [started, dropped, [service entries], service total].
        writer.writeArrayHeader(openModel == nil ? 8 : 9)
        writer.write(Self.exactWireVersion)
        writer.writeArrayHeader(entries.count)
        for entry in entries { entry.writeExact(into: &writer) }
        total.writeExact(into: &writer)
        writer.writeArrayHeader(errors.count)
        for error in errors {
            writer.writeArrayHeader(6)
            writer.write(error.method)
            writer.write(error.name)
            writer.write(error.error)
            writer.write(error.occurrences)
            writeOptional(error.firstSeen, into: &writer)
            writeOptional(error.lastSeen, into: &writer)
        }
        writer.writeArrayHeader(exceptions.count)
        for exception in exceptions {
            writer.writeArrayHeader(4)
            writer.write(exception.message)
            writer.write(exception.location)
            writer.write(exception.count)
            writer.writeArrayHeader(exception.nodes.count)
            for node in exception.nodes { writer.write(node) }
        }
        let seconds = recentResponseTimes.occupiedSeconds
        writer.writeArrayHeader(seconds.count)
        for (second, histogram) in seconds {
            writer.writeArrayHeader(3)
            writer.write(second)
            ResponseTimeHistogram.writeSparse(histogram, into: &writer)
        }
        writer.write(takenAt)
        writer.write(interruptedRequests)
        if let open = openModel {
            writer.writeArrayHeader(4)
            writer.write(open.startedIterations)
            writer.write(open.droppedIterations)
            writer.writeArrayHeader(open.serviceEntries.count)
            for entry in open.serviceEntries { entry.writeExact(into: &writer) }
            open.serviceTotal.writeExact(into: &writer)
        }
    }

    /// Reads the exact form written by ``writeExact(into:)``.
    public init(exactFrom reader: inout MessagePackReader) throws {
        let fields = try reader.readArrayHeader()
        guard fields == 8 || fields == 9 else { throw StatsWireError("snapshot is not an 8- or 9-element array") }
        let version = try reader.readInt()
        guard version == Self.exactWireVersion else { throw StatsWireError("snapshot form \(version), expected \(Self.exactWireVersion)") }
        var entries: [StatsEntry] = []
        let entryCount = try reader.readArrayHeader()
        entries.reserveCapacity(entryCount)
        for _ in 0..<entryCount { entries.append(try StatsEntry(exactFrom: &reader)) }
        let total = try StatsEntry(exactFrom: &reader)
        var errors: [StatsError] = []
        for _ in 0..<(try reader.readArrayHeader()) {
            guard try reader.readArrayHeader() == 6 else { throw StatsWireError("error is not a 6-element array") }
            let method = try reader.readString()
            let name = try reader.readString()
            let text = try reader.readString()
            let occurrences = try reader.readInt()
            guard occurrences >= 0 else { throw StatsWireError("negative error count") }
            let first = try Self.readOptionalDouble(&reader)
            let last = try Self.readOptionalDouble(&reader)
            errors.append(StatsError(method: method, name: name, error: text, occurrences: occurrences, firstSeen: first, lastSeen: last))
        }
        var exceptions: [StatsException] = []
        for _ in 0..<(try reader.readArrayHeader()) {
            guard try reader.readArrayHeader() == 4 else { throw StatsWireError("exception is not a 4-element array") }
            let message = try reader.readString()
            let location = try reader.readString()
            let count = try reader.readInt()
            guard count >= 0 else { throw StatsWireError("negative exception count") }
            var nodes: [String] = []
            for _ in 0..<(try reader.readArrayHeader()) { nodes.append(try reader.readString()) }
            exceptions.append(StatsException(message: message, location: location, count: count, nodes: nodes))
        }
        var window = ResponseTimeWindow()
        for _ in 0..<(try reader.readArrayHeader()) {
            guard try reader.readArrayHeader() == 3 else { throw StatsWireError("window second is not [second, values, counts]") }
            let second = try reader.readInt()
            window.add(try ResponseTimeHistogram(sparseFrom: &reader), second: second)
        }
        let takenAt = try reader.readDouble()
        let interrupted = try reader.readInt()
        var open: OpenModelStats?
        if fields == 9 {
            guard try reader.readArrayHeader() == 4 else { throw StatsWireError("open-model stats are not a 4-element array") }
            let started = try reader.readInt()
            let dropped = try reader.readInt()
            guard started >= 0, dropped >= 0 else { throw StatsWireError("negative iteration count") }
            var service: [StatsEntry] = []
            for _ in 0..<(try reader.readArrayHeader()) { service.append(try StatsEntry(exactFrom: &reader)) }
            let serviceTotal = try StatsEntry(exactFrom: &reader)
            open = OpenModelStats(startedIterations: started, droppedIterations: dropped, serviceEntries: service, serviceTotal: serviceTotal)
        }
        self.init(
            entries: entries, total: total, errors: errors, exceptions: exceptions, recentResponseTimes: window,
            takenAt: takenAt.isFinite ? takenAt : 0, interruptedRequests: max(0, interrupted), openModel: open)
    }

    static func readOptionalDouble(_ reader: inout MessagePackReader) throws -> Double? {
        if try reader.readNil() { return nil }
        let value = try reader.readDouble()
        return value.isFinite ? value : nil
    }
}

func writeOptional(_ value: Double?, into writer: inout MessagePackWriter) {
    if let value { writer.write(value) } else { writer.writeNil() }
}

extension StatsEntry {
    /// `[method, name, requests, failures, total ms, min ms|nil, max ms, content length, start, last|nil,
    /// histogram values, histogram counts, {second: requests}, {second: failures}]`.
    func writeExact(into writer: inout MessagePackWriter) {
        writer.writeArrayHeader(14)
        writer.write(method)
        writer.write(name)
        writer.write(numRequests)
        writer.write(numFailures)
        writer.write(totalResponseTime)
        writeOptional(minResponseTime, into: &writer)
        writer.write(maxResponseTime)
        writer.write(totalContentLength)
        writer.write(startTime)
        writeOptional(lastRequestTimestamp, into: &writer)
        ResponseTimeHistogram.writeSparse(histogram, into: &writer)
        Self.writeCounts(requestsPerSecond, into: &writer)
        Self.writeCounts(failuresPerSecond, into: &writer)
    }

    static func writeCounts(_ counts: [Int: Int], into writer: inout MessagePackWriter) {
        writer.writeMapHeader(counts.count)
        for (key, value) in counts.sorted(by: { $0.key < $1.key }) {
            writer.write(key)
            writer.write(value)
        }
    }

    static func readCounts(_ reader: inout MessagePackReader) throws -> [Int: Int] {
        let count = try reader.readMapHeader()
        // Most reports' failures per second are empty: no storage for them.
        if count == 0 { return [:] }
        var result = [Int: Int](minimumCapacity: count)
        for _ in 0..<count {
            let key = try reader.readInt()
            let value = try reader.readInt()
            guard value >= 0 else { throw StatsWireError("negative per-second count") }
            result[key, default: 0] &+= value
        }
        return result
    }

    init(exactFrom reader: inout MessagePackReader) throws {
        guard try reader.readArrayHeader() == 14 else { throw StatsWireError("entry is not a 14-element array") }
        let method = try reader.readString()
        let name = try reader.readString()
        let requests = try reader.readInt()
        let failures = try reader.readInt()
        guard requests >= 0, failures >= 0 else { throw StatsWireError("negative request or failure count for \(method) \(name)") }
        let totalTime = try reader.readDouble()
        let minimum = try StatsSnapshot.readOptionalDouble(&reader)
        let maximum = try reader.readDouble()
        let contentLength = try reader.readInt()
        let start = try reader.readDouble()
        let last = try StatsSnapshot.readOptionalDouble(&reader)
        let histogram = try ResponseTimeHistogram(sparseFrom: &reader)
        let rps = try Self.readCounts(&reader)
        let fps = try Self.readCounts(&reader)
        self.init(method: method, name: name, startTime: start)
        numRequests = requests
        numFailures = failures
        totalResponseTime = totalTime.isFinite ? totalTime : 0
        minResponseTime = minimum
        maxResponseTime = maximum.isFinite ? maximum : 0
        totalContentLength = max(0, contentLength)
        self.histogram = histogram
        lastRequestTimestamp = last
        requestsBySecond = rps
        failuresBySecond = fps
    }
}

extension ResponseTimeHistogram {
    /// `[values], [counts]` of ``sparse()``, as two arrays (two elements of the enclosing array).
    static func writeSparse(_ histogram: ResponseTimeHistogram, into writer: inout MessagePackWriter) {
        let (values, counts) = histogram.sparse()
        writer.writeArrayHeader(values.count)
        for value in values { writer.write(value) }
        writer.writeArrayHeader(counts.count)
        for count in counts { writer.write(count) }
    }

    /// Reads the two arrays straight into one array of buckets (the master decodes about 50 of these
    /// per report, a thousand reports a second: one allocation each, not three).
    init(sparseFrom reader: inout MessagePackReader) throws {
        let valueCount = try reader.readArrayHeader()
        var buckets: [SparseBucket] = []
        buckets.reserveCapacity(valueCount)
        for _ in 0..<valueCount {
            let value = try reader.readInt()
            guard value >= 0 else { throw StatsWireError("negative histogram value") }
            buckets.append(SparseBucket(value: UInt64(value), count: 0))
        }
        let countCount = try reader.readArrayHeader()
        guard countCount == valueCount else { throw StatsWireError("histogram values and counts differ in length") }
        for index in 0..<countCount {
            let count = try reader.readInt()
            guard count >= 0 else { throw StatsWireError("negative histogram count") }
            buckets[index].count = UInt64(count)
        }
        self.init(sparseBuckets: buckets)
    }
}
