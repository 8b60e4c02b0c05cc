/// The mutable open-model statistics inside ``StatsState``: the service-time entries (kept as the
/// request table keeps its own) and the iteration counters.
struct OpenModelTables: Sendable {
    private(set) var entries: [StatsEntry] = []
    private var positions: [StatsEntryKey: Int] = [:]
    var total: StatsEntry
    var started = 0
    var dropped = 0

    init(startTime: Double) {
        total = StatsEntry(method: "", name: StatsState.aggregatedName, startTime: startTime)
    }

    /// Tables holding exactly what `stats` holds.
    init(_ stats: OpenModelStats) {
        total = stats.serviceTotal
        started = stats.startedIterations
        dropped = stats.droppedIterations
        for entry in stats.serviceEntries { add(entry) }
    }

    /// Records one request's service time (already sanitized, as the request table records it).
    mutating func record(
        method: String, name: String, milliseconds: Double, contentLength: Int, failed: Bool, at timestamp: Double, second: Int
    ) {
        let key = StatsEntryKey(method: method, name: name)
        let position: Int
        if let known = positions[key] {
            position = known
        } else {
            entries.append(StatsEntry(method: method, name: name, startTime: timestamp))
            position = entries.count - 1
            positions[key] = position
        }
        let microseconds = ResponseTimeHistogram.microseconds(fromMilliseconds: milliseconds)
        entries[position].record(
            sanitizedMilliseconds: milliseconds, microseconds: microseconds, contentLength: contentLength, failed: failed,
            at: timestamp, second: second)
        total.record(
            sanitizedMilliseconds: milliseconds, microseconds: microseconds, contentLength: contentLength, failed: failed,
            at: timestamp, second: second)
    }

    /// Adds `stats` (exact).
    mutating func merge(_ stats: OpenModelStats) {
        for entry in stats.serviceEntries { add(entry) }
        total.merge(stats.serviceTotal)
        started += stats.startedIterations
        dropped += stats.droppedIterations
    }

    private mutating func add(_ entry: StatsEntry) {
        let key = StatsEntryKey(method: entry.method, name: entry.name)
        if let position = positions[key] {
            entries[position].merge(entry)
        } else {
            entries.append(entry)
            positions[key] = entries.count - 1
        }
    }

    /// Zeroes the entries (they stay listed) and the counters.
    mutating func reset(at time: Double) {
        for position in entries.indices { entries[position].reset(at: time) }
        total.reset(at: time)
        started = 0
        dropped = 0
    }

    /// The immutable form.
    var stats: OpenModelStats {
        OpenModelStats(startedIterations: started, droppedIterations: dropped, serviceEntries: entries, serviceTotal: total)
    }
}
