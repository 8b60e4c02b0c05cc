/// A consistent, immutable copy of a ``RequestStats``: what reporters (console, CSV, web) read and
/// what a worker sends to a master. `Codable` (histograms in sparse form) and `Sendable`.
///
/// Snapshots from several processes combine exactly with ``merge(_:)``: counts and histograms add,
/// so percentiles of the merged snapshot equal those of recording every sample in one place.
public struct StatsSnapshot: Sendable, Codable, Equatable {
    /// The per-request-type entries, sorted by name and then method (Locust's order).
    public private(set) var entries: [StatsEntry]
    /// The aggregated entry (method `""`, name `"Aggregated"`).
    public private(set) var total: StatsEntry
    /// The failures, in the order they were first seen (Locust's error-report order).
    public private(set) var errors: [StatsError]
    /// The exceptions, most frequent first.
    public private(set) var exceptions: [StatsException]
    /// Per-second histograms of the aggregated response times of the last 20 seconds.
    public private(set) var recentResponseTimes: ResponseTimeWindow
    /// When the snapshot was taken (seconds since the epoch).
    public private(set) var takenAt: Double
    /// Requests in flight when a stop cut them off: not completed, so in no entry (k6's interrupted
    /// iterations); the summary reports them.
    public private(set) var interruptedRequests: Int
    /// The open model's service times and iteration counters; nil in a closed-model run.
    public private(set) var openModel: OpenModelStats?

    /// Creates a snapshot; the lists are put in report order.
    public init(
        entries: [StatsEntry], total: StatsEntry, errors: [StatsError] = [], exceptions: [StatsException] = [],
        recentResponseTimes: ResponseTimeWindow = ResponseTimeWindow(), takenAt: Double = 0, interruptedRequests: Int = 0,
        openModel: OpenModelStats? = nil
    ) {
        self.interruptedRequests = interruptedRequests
        self.openModel = openModel
        // Snapshots decoded from a slave arrive in this order already: checking is cheaper than sorting.
        let inOrder = { (lhs: StatsEntry, rhs: StatsEntry) -> Bool in
            lhs.name != rhs.name ? lhs.name < rhs.name : lhs.method < rhs.method
        }
        var sorted = true
        for index in entries.indices.dropFirst() where !inOrder(entries[index - 1], entries[index]) {
            sorted = false
            break
        }
        self.entries = sorted ? entries : entries.sorted(by: inOrder)
        self.total = total
        self.errors = errors.sorted { lhs, rhs in
            let left = lhs.firstSeen ?? .infinity
            let right = rhs.firstSeen ?? .infinity
            if left != right { return left < right }
            return (lhs.name, lhs.method, lhs.error) < (rhs.name, rhs.method, rhs.error)
        }
        self.exceptions = exceptions.sorted { lhs, rhs in
            if lhs.count != rhs.count { return lhs.count > rhs.count }
            return (lhs.message, lhs.location) < (rhs.message, rhs.location)
        }
        self.recentResponseTimes = recentResponseTimes
        self.takenAt = takenAt
    }

    /// An empty snapshot whose aggregated entry starts at `startTime`.
    public static func empty(startTime: Double = 0) -> StatsSnapshot {
        StatsState(startTime: startTime).snapshot(at: startTime)
    }

    /// The entry for a method and name, if any request was recorded for it.
    public func entry(method: String, name: String) -> StatsEntry? {
        entries.first { $0.method == method && $0.name == name }
    }

    /// Adds `other` into this snapshot (exact), e.g. to combine the latest cumulative snapshot of
    /// every worker into one view. `takenAt` becomes the later of the two.
    public mutating func merge(_ other: StatsSnapshot) {
        var state = StatsState(self)
        state.merge(other)
        self = state.snapshot(at: max(takenAt, other.takenAt))
    }

    /// This snapshot with `other` added.
    public func merging(_ other: StatsSnapshot) -> StatsSnapshot {
        var copy = self
        copy.merge(other)
        return copy
    }

    /// The aggregated response time at `percentile` (0...1) over the last `window` seconds ending
    /// at `now` (Locust's `get_current_response_time_percentile`), or `nil` when no request
    /// completed in that window.
    public func currentResponseTimePercentile(
        _ percentile: Double, now: Double, window: Int = ResponseTimeWindow.defaultWindow
    ) -> Double? {
        recentResponseTimes.percentile(percentile, endingAt: now, window: window)
    }

    /// The aggregated ``StatsEntry/currentRPS(now:since:)`` the way Locust computes it, with the
    /// aggregated entry's last request as "now" (0 before the first request).
    public var currentRPS: Double { currentRPS(of: total) }

    /// The aggregated failures per second over Locust's current window.
    public var currentFailPerSec: Double { currentFailPerSec(of: total) }

    /// An entry's current requests per second as Locust computes it: the window ends at the
    /// aggregated entry's last request and starts no earlier than the aggregated entry's start.
    public func currentRPS(of entry: StatsEntry) -> Double {
        guard let last = total.lastRequestTimestamp else { return 0 }
        return entry.currentRPS(now: last, since: total.startTime)
    }

    /// An entry's current failures per second, as ``currentRPS(of:)``.
    public func currentFailPerSec(of entry: StatsEntry) -> Double {
        guard let last = total.lastRequestTimestamp else { return 0 }
        return entry.currentFailPerSec(now: last, since: total.startTime)
    }

    /// An entry's requests per second over the whole run, divided by the aggregated entry's
    /// duration as Locust does.
    public func totalRPS(of entry: StatsEntry) -> Double {
        entry.totalRPS(startTime: total.startTime, lastRequestTimestamp: total.lastRequestTimestamp)
    }

    /// An entry's failures per second over the whole run, as ``totalRPS(of:)``.
    public func totalFailPerSec(of entry: StatsEntry) -> Double {
        entry.totalFailPerSec(startTime: total.startTime, lastRequestTimestamp: total.lastRequestTimestamp)
    }
}
