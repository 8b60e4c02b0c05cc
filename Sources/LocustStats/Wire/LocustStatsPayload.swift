import MessagePack

/// Locust's own statistics payload (`stats`, `stats_total`, `errors` of a worker's `stats` message, as
/// `setup_distributed_stats_event_listeners` writes them): what a Locust master merges. Response times
/// are in Locust's rounded buckets (``LocustBucket``), errors keyed by Locust's sha256.
public enum LocustStatsPayload {
    /// Writes the three pairs `"stats": [...]`, `"stats_total": {...}`, `"errors": {...}` (the caller
    /// has written the enclosing map's header, counting them as 3).
    public static func writePairs(of snapshot: StatsSnapshot, into writer: inout MessagePackWriter) {
        writer.write("stats")
        // Locust leaves out entries with neither requests nor failures.
        let entries = snapshot.entries.filter { $0.numRequests > 0 || $0.numFailures > 0 }
        writer.writeArrayHeader(entries.count)
        for entry in entries { writeEntry(entry, into: &writer) }
        writer.write("stats_total")
        writeEntry(snapshot.total, into: &writer)
        writer.write("errors")
        writer.writeMapHeader(snapshot.errors.count)
        for error in snapshot.errors {
            writer.write(errorKey(method: error.method, name: error.name, error: error.error))
            writer.writeMapHeader(6)
            writer.write("name")
            writer.write(error.name)
            writer.write("method")
            writer.write(error.method)
            writer.write("error")
            writer.write(error.error)
            writer.write("occurrences")
            writer.write(error.occurrences)
            writer.write("first_seen")
            writeOptional(error.firstSeen, into: &writer)
            writer.write("last_seen")
            writeOptional(error.lastSeen, into: &writer)
        }
    }

    /// Locust's `StatsError.create_key` for an error already turned into text.
    public static func errorKey(method: String, name: String, error: String) -> String {
        SHA256.hexDigest("\(method).\(name).\(PythonRepr.string(error))")
    }

    /// One `StatsEntryDict`, keys in Locust's order.
    static func writeEntry(_ entry: StatsEntry, into writer: inout MessagePackWriter) {
        writer.writeMapHeader(14)
        writer.write("name")
        writer.write(entry.name)
        writer.write("method")
        writer.write(entry.method)
        writer.write("last_request_timestamp")
        writeOptional(entry.lastRequestTimestamp, into: &writer)
        writer.write("start_time")
        writer.write(entry.startTime)
        writer.write("num_requests")
        writer.write(entry.numRequests)
        writer.write("num_none_requests")
        writer.write(0)
        writer.write("num_failures")
        writer.write(entry.numFailures)
        writer.write("total_response_time")
        writer.write(entry.totalResponseTime)
        writer.write("max_response_time")
        writer.write(entry.maxResponseTime)
        writer.write("min_response_time")
        writeOptional(entry.minResponseTime, into: &writer)
        writer.write("total_content_length")
        writer.write(entry.totalContentLength)
        writer.write("response_times")
        var buckets: [Int: Int] = [:]
        for item in entry.histogram.histogram.recordedValues() {
            buckets[LocustBucket.bucket(Double(item.value) / 1000), default: 0] &+= Int(item.count)
        }
        StatsEntry.writeCounts(buckets, into: &writer)
        writer.write("num_reqs_per_sec")
        StatsEntry.writeCounts(entry.requestsPerSecond, into: &writer)
        writer.write("num_fail_per_sec")
        StatsEntry.writeCounts(entry.failuresPerSecond, into: &writer)
    }

    /// A snapshot from a Locust worker's `stats` data (a Python worker on our master): entries and the
    /// total with histograms rebuilt from Locust's buckets (so percentiles are Locust's, not exact),
    /// errors, and the total's buckets as the current second of the recent window.
    public static func snapshot(from data: MessagePackValue, takenAt: Double) throws -> StatsSnapshot {
        guard let stats = data["stats"]?.arrayValue else { throw StatsWireError("no 'stats' list") }
        guard let totalValue = data["stats_total"] else { throw StatsWireError("no 'stats_total'") }
        let entries = try stats.map(entry(from:))
        let total = try entry(from: totalValue)
        var errors: [StatsError] = []
        for pair in data["errors"]?.mapValue ?? [] {
            let error = pair.value
            guard let method = error["method"]?.stringValue, let name = error["name"]?.stringValue,
                let text = error["error"]?.stringValue, let occurrences = error["occurrences"]?.intValue, occurrences >= 0
            else { throw StatsWireError("malformed error entry") }
            errors.append(StatsError(
                method: method, name: name, error: text, occurrences: occurrences,
                firstSeen: error["first_seen"]?.doubleValue, lastSeen: error["last_seen"]?.doubleValue))
        }
        var window = ResponseTimeWindow()
        if let last = total.lastRequestTimestamp, !total.histogram.isEmpty {
            window.add(total.histogram, second: StatsEntry.second(of: last))
        }
        return StatsSnapshot(entries: entries, total: total, errors: errors, recentResponseTimes: window, takenAt: takenAt)
    }

    static func entry(from value: MessagePackValue) throws -> StatsEntry {
        guard let name = value["name"]?.stringValue, let method = value["method"]?.stringValue else {
            throw StatsWireError("entry without name or method")
        }
        func int(_ key: String) throws -> Int {
            guard let number = value[key]?.intValue, number >= 0 else { throw StatsWireError("'\(key)' of \(method) \(name) is not a count") }
            return number
        }
        func double(_ key: String) -> Double? {
            guard let number = value[key]?.doubleValue, number.isFinite else { return nil }
            return number
        }
        var entry = StatsEntry(method: method, name: name, startTime: double("start_time") ?? 0)
        entry.numRequests = try int("num_requests")
        entry.numFailures = try int("num_failures")
        entry.totalResponseTime = max(0, double("total_response_time") ?? 0)
        entry.maxResponseTime = max(0, double("max_response_time") ?? 0)
        entry.minResponseTime = double("min_response_time")
        entry.totalContentLength = max(0, value["total_content_length"]?.intValue ?? 0)
        entry.lastRequestTimestamp = double("last_request_timestamp")
        for pair in value["response_times"]?.mapValue ?? [] {
            guard let bucket = pair.key.doubleValue, let count = pair.value.intValue, count >= 0 else {
                throw StatsWireError("malformed response_times of \(method) \(name)")
            }
            entry.histogram.record(microseconds: ResponseTimeHistogram.microseconds(fromMilliseconds: bucket), count: UInt64(count))
        }
        entry.requestsBySecond = try counts(value["num_reqs_per_sec"], "num_reqs_per_sec")
        entry.failuresBySecond = try counts(value["num_fail_per_sec"], "num_fail_per_sec")
        return entry
    }

    static func counts(_ value: MessagePackValue?, _ key: String) throws -> [Int: Int] {
        var result: [Int: Int] = [:]
        for pair in value?.mapValue ?? [] {
            guard let second = pair.key.intValue ?? pair.key.stringValue.flatMap({ Int($0) }), let count = pair.value.intValue, count >= 0 else {
                throw StatsWireError("malformed \(key)")
            }
            result[second, default: 0] &+= count
        }
        return result
    }
}
