import Synchronization

/// The per-second history of a run: sampled once a second, it appends a row for the aggregated
/// entry (and, with `fullHistory`, one per entry first), the rows of Locust's
/// `_stats_history.csv`. Thread-safe.
///
/// Percentile columns follow Locust 2.47: without full history the aggregated row holds the
/// percentiles of the whole run; with full history it holds those of the last 10 seconds (the
/// per-entry rows then hold their whole-run percentiles, as only the aggregated response times
/// are kept per second).
public final class StatsHistory: Sendable {
    /// Whether a row per entry is added before the aggregated row (`--csv-full-history`).
    public let fullHistory: Bool
    /// The percentiles (fractions) of the percentile columns.
    public let percentiles: [Double]
    /// The most rows kept in memory (older ones are dropped); `nil` keeps all.
    public let capacity: Int?

    private let storage = Mutex<[StatsHistoryRow]>([])

    /// Creates an empty history.
    /// - Parameters:
    ///   - fullHistory: Add a row per entry at each sample, not only the aggregated one.
    ///   - percentiles: The percentile columns; Locust's by default.
    ///   - capacity: The most rows kept in memory; `nil` keeps every row.
    public init(fullHistory: Bool = false, percentiles: [Double] = ReportedPercentiles.standard, capacity: Int? = nil) {
        self.fullHistory = fullHistory
        self.percentiles = percentiles
        self.capacity = capacity.map { max(1, $0) }
    }

    /// Computes the rows for `snapshot` at time `now`, appends them and returns them (so that a
    /// CSV writer can append the same rows to its file).
    @discardableResult
    public func sample(_ snapshot: StatsSnapshot, userCount: Int, at now: Double) -> [StatsHistoryRow] {
        let newRows = rows(for: snapshot, userCount: userCount, at: now)
        storage.withLock { rows in
            rows.append(contentsOf: newRows)
            if let capacity, rows.count > capacity {
                rows.removeFirst(rows.count - capacity)
            }
        }
        return newRows
    }

    /// Takes a snapshot of `stats` and samples it; see ``sample(_:userCount:at:)``.
    @discardableResult
    public func sample(_ stats: RequestStats, userCount: Int, at now: Double) -> [StatsHistoryRow] {
        sample(stats.snapshot(), userCount: userCount, at: now)
    }

    /// The rows recorded so far, oldest first.
    public var rows: [StatsHistoryRow] { storage.withLock { $0 } }

    /// Forgets every row.
    public func reset() {
        storage.withLock { $0.removeAll() }
    }

    /// The rows for one sampling time, without storing them.
    public func rows(for snapshot: StatsSnapshot, userCount: Int, at now: Double) -> [StatsHistoryRow] {
        let timestamp = StatsEntry.second(of: now)
        var result: [StatsHistoryRow] = []
        if fullHistory {
            for entry in snapshot.entries {
                result.append(
                    row(entry, in: snapshot, timestamp: timestamp, userCount: userCount,
                        percentileValues: entry.numRequests == 0 ? nil : entry.percentiles(percentiles),
                        chart: []))
            }
        }
        let total = snapshot.total
        var totalPercentiles: [Double]?
        if total.numRequests > 0 {
            if fullHistory {
                totalPercentiles = snapshot.recentResponseTimes.percentiles(percentiles, endingAt: now)
                    ?? percentiles.map { _ in 0 }
            } else {
                totalPercentiles = total.percentiles(percentiles)
            }
        }
        let chart = snapshot.recentResponseTimes.percentiles(ReportedPercentiles.chart, endingAt: now)
            ?? ReportedPercentiles.chart.map { _ in 0 }
        result.append(
            row(total, in: snapshot, timestamp: timestamp, userCount: userCount,
                percentileValues: totalPercentiles, chart: chart))
        return result
    }

    private func row(
        _ entry: StatsEntry, in snapshot: StatsSnapshot, timestamp: Int, userCount: Int,
        percentileValues: [Double]?, chart: [Double]
    ) -> StatsHistoryRow {
        StatsHistoryRow(
            timestamp: timestamp, userCount: userCount, method: entry.method, name: entry.name,
            requestsPerSecond: snapshot.currentRPS(of: entry), failuresPerSecond: snapshot.currentFailPerSec(of: entry),
            percentiles: percentileValues, currentChartPercentiles: chart, requestCount: entry.numRequests,
            failureCount: entry.numFailures, medianResponseTime: entry.median, averageResponseTime: entry.average,
            minResponseTime: entry.minResponseTime, maxResponseTime: entry.maxResponseTime,
            averageContentLength: entry.averageContentLength)
    }
}
