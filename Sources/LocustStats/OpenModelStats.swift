/// What an open-model run (`--arrival-rate`, `--arrival-stages`) records beside the request table.
///
/// In the open model the request table's response times run from each iteration's **intended** start
/// (so a stalled server shows in the percentiles, as wrk2 measures), while ``serviceEntries`` keep each
/// request's own time, from the start of its transfer to its last byte. The iteration counters say
/// whether the schedule was kept: ``droppedIterations`` could not start on time because
/// `--max-concurrency` iterations were already in flight; they are counted, never silently skipped.
///
/// A closed-model run has none (``StatsSnapshot/openModel`` is nil), so its reports are unchanged.
public struct OpenModelStats: Sendable, Codable, Equatable {
    /// Iterations started on schedule.
    public var startedIterations: Int
    /// Iterations that were due but could not start: `--max-concurrency` were in flight.
    public var droppedIterations: Int
    /// The service time of each (method, name): the request's own time, without the wait for its
    /// iteration's intended start; sorted by name, then method.
    public var serviceEntries: [StatsEntry]
    /// The aggregated service time (method `""`, name `"Aggregated"`).
    public var serviceTotal: StatsEntry

    /// Creates the open-model statistics.
    public init(startedIterations: Int = 0, droppedIterations: Int = 0, serviceEntries: [StatsEntry] = [], serviceTotal: StatsEntry) {
        self.startedIterations = startedIterations
        self.droppedIterations = droppedIterations
        self.serviceEntries = serviceEntries.sorted { ($0.name, $0.method) < ($1.name, $1.method) }
        self.serviceTotal = serviceTotal
    }

    /// Iterations that were due: started plus dropped.
    public var scheduledIterations: Int { startedIterations + droppedIterations }

    /// The service-time entry for a method and name, if any request was recorded for it.
    public func serviceEntry(method: String, name: String) -> StatsEntry? {
        serviceEntries.first { $0.method == method && $0.name == name }
    }

    /// The service times as a snapshot of their own, for the renderers of request tables (console, CSV,
    /// JSON rows), with `takenAt` and the aggregated start of `snapshot`.
    public func serviceSnapshot(of snapshot: StatsSnapshot) -> StatsSnapshot {
        StatsSnapshot(entries: serviceEntries, total: serviceTotal, takenAt: snapshot.takenAt)
    }
}
