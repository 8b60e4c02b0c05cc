/// The mutable statistics behind ``RequestStats`` (guarded by its mutex) and the merge logic
/// shared with ``StatsSnapshot``.
struct StatsState: Sendable {
    /// Locust's name for the aggregated row.
    static let aggregatedName = "Aggregated"

    /// The entries in the order they appeared; `positions` finds one by key. Entries are never removed
    /// (a reset zeroes them), so a position stays valid for the life of the state.
    private(set) var entries: [StatsEntry] = []
    private var positions: [StatsEntryKey: Int] = [:]
    /// The key recorded last and its position: a run records a few names over and over, and a key
    /// equal to the last one (mostly the very same strings, compared by their bits) skips hashing both.
    private var lastKey: StatsEntryKey?
    private var lastPosition = 0
    var total: StatsEntry
    var errors: [StatsErrorKey: StatsError] = [:]
    var exceptions: [StatsExceptionKey: StatsException] = [:]
    var window = ResponseTimeWindow()
    /// Requests cut off in flight by a stop.
    var interrupted = 0
    /// The open model's service times and iteration counters (nil in a closed-model run).
    var open: OpenModelTables?

    init(startTime: Double) {
        total = StatsEntry(method: "", name: Self.aggregatedName, startTime: startTime)
    }

    /// A state holding exactly what `snapshot` holds.
    init(_ snapshot: StatsSnapshot) {
        total = snapshot.total
        window = snapshot.recentResponseTimes
        interrupted = snapshot.interruptedRequests
        open = snapshot.openModel.map(OpenModelTables.init)
        mergeTables(of: snapshot)
    }

    /// The hot path: one entry lookup, the total, the window and, for failures, the error table.
    @inline(__always)
    mutating func record(
        method: String, name: String, responseTime: Double, contentLength: Int, error: String?, at now: Double
    ) {
        let milliseconds = StatsEntry.sanitized(responseTime)
        let microseconds = ResponseTimeHistogram.microseconds(fromMilliseconds: milliseconds)
        let timestamp = now.isFinite ? now : 0
        let second = StatsEntry.second(of: timestamp)
        let failed = error != nil
        let key = StatsEntryKey(method: method, name: name)
        let position: Int
        if lastKey == key {
            position = lastPosition
        } else {
            position = self.position(of: key, startTime: timestamp)
            lastKey = key
            lastPosition = position
        }
        entries[position]
            .record(
                sanitizedMilliseconds: milliseconds, microseconds: microseconds, contentLength: contentLength,
                failed: failed, at: timestamp, second: second)
        total.record(
            sanitizedMilliseconds: milliseconds, microseconds: microseconds, contentLength: contentLength,
            failed: failed, at: timestamp, second: second)
        window.record(microseconds: microseconds, second: second)
        if let error {
            let errorKey = StatsErrorKey(method: method, name: name, error: error)
            errors[errorKey, default: StatsError(method: method, name: name, error: error)].occurred(at: timestamp)
        }
    }

    /// An open-model request: `responseTime` (from the iteration's intended start) goes to the request
    /// table as ``record(method:name:responseTime:contentLength:error:at:)`` records it, `serviceTime`
    /// (the request's own) to the service table. Not the closed model's path, which stays as it was.
    mutating func recordOpenModel(
        method: String, name: String, responseTime: Double, serviceTime: Double, contentLength: Int, error: String?,
        at now: Double
    ) {
        record(method: method, name: name, responseTime: responseTime, contentLength: contentLength, error: error, at: now)
        let timestamp = now.isFinite ? now : 0
        if open == nil { open = OpenModelTables(startTime: total.startTime) }
        open?.record(
            method: method, name: name, milliseconds: StatsEntry.sanitized(serviceTime), contentLength: contentLength,
            failed: error != nil, at: timestamp, second: StatsEntry.second(of: timestamp))
    }

    /// The position of `key`'s entry, which is created (empty, started at `startTime`) when missing.
    private mutating func position(of key: StatsEntryKey, startTime: Double) -> Int {
        if let position = positions[key] { return position }
        entries.append(StatsEntry(method: key.method, name: key.name, startTime: startTime))
        positions[key] = entries.count - 1
        return entries.count - 1
    }

    /// The entry for `key`, if one was recorded.
    func entry(for key: StatsEntryKey) -> StatsEntry? {
        positions[key].map { entries[$0] }
    }

    mutating func recordException(message: String, location: String, node: String) {
        let key = StatsExceptionKey(message: message, location: location)
        exceptions[key, default: StatsException(message: message, location: location)].occurred(on: node)
    }

    /// Adds everything in `snapshot` (exact for counts, sums, extremes and histograms).
    mutating func merge(_ snapshot: StatsSnapshot) {
        mergeTables(of: snapshot)
        total.merge(snapshot.total)
        window.merge(snapshot.recentResponseTimes)
        interrupted += snapshot.interruptedRequests
        if let other = snapshot.openModel {
            if open == nil { open = OpenModelTables(startTime: total.startTime) }
            open?.merge(other)
        }
    }

    /// Adds the entries, errors and exceptions of `snapshot`.
    private mutating func mergeTables(of snapshot: StatsSnapshot) {
        for entry in snapshot.entries {
            let key = StatsEntryKey(method: entry.method, name: entry.name)
            if let position = positions[key] {
                entries[position].merge(entry)
            } else {
                entries.append(entry)
                positions[key] = entries.count - 1
            }
        }
        for error in snapshot.errors {
            let key = StatsErrorKey(method: error.method, name: error.name, error: error.error)
            if errors[key] == nil {
                errors[key] = error
            } else {
                errors[key]?.merge(error)
            }
        }
        for exception in snapshot.exceptions {
            let key = StatsExceptionKey(message: exception.message, location: exception.location)
            if exceptions[key] == nil {
                exceptions[key] = exception
            } else {
                exceptions[key]?.merge(exception)
            }
        }
    }

    /// Zeroes every entry (they stay listed, as in Locust's `reset_all`) and forgets errors,
    /// exceptions and the recent window.
    mutating func reset(at time: Double) {
        for position in entries.indices { entries[position].reset(at: time) }
        total.reset(at: time)
        errors.removeAll()
        exceptions.removeAll()
        window.reset()
        interrupted = 0
        // An open-model run keeps its (zeroed) tables, so that its reports keep their open-model parts.
        open?.reset(at: time)
    }

    /// A consistent copy in report order.
    func snapshot(at time: Double) -> StatsSnapshot {
        StatsSnapshot(
            entries: entries, total: total, errors: Array(errors.values),
            exceptions: Array(exceptions.values), recentResponseTimes: window, takenAt: time,
            interruptedRequests: interrupted, openModel: open?.stats)
    }
}
