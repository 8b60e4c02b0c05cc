/// One point of the HTML report's charts (Locust's `stats.history` entries, taken every few
/// seconds while a test runs): the user count, the current rates and the current response-time
/// percentiles at one time.
public struct ReportPoint: Sendable, Equatable, Codable {
    /// When the point was taken (seconds since the epoch).
    public var time: Double
    /// The number of running users.
    public var userCount: Int
    /// The aggregated requests per second over Locust's current window.
    public var currentRPS: Double
    /// The aggregated failures per second over Locust's current window.
    public var currentFailPerSec: Double
    /// The aggregated median response time (ms) of the last 10 seconds; `nil` leaves a gap.
    public var p50: Double?
    /// The aggregated 95th percentile response time (ms) of the last 10 seconds; `nil` leaves a gap.
    public var p95: Double?
    /// The mean response time (ms) of the whole run so far (Locust's `total_avg_response_time`), if known.
    public var averageResponseTime: Double?

    /// Creates a point.
    public init(
        time: Double, userCount: Int, currentRPS: Double, currentFailPerSec: Double, p50: Double?, p95: Double?,
        averageResponseTime: Double? = nil
    ) {
        self.time = time
        self.userCount = userCount
        self.currentRPS = currentRPS
        self.currentFailPerSec = currentFailPerSec
        self.p50 = p50
        self.p95 = p95
        self.averageResponseTime = averageResponseTime
    }

    /// The point of an aggregated history row (``StatsHistory`` samples once a second): its time,
    /// user count, rates, mean and ``StatsHistoryRow/currentChartPercentiles`` (Locust's
    /// `PERCENTILES_TO_CHART`, 50 and 95 %).
    public init(historyRow row: StatsHistoryRow) {
        self.init(
            time: Double(row.timestamp), userCount: row.userCount, currentRPS: row.requestsPerSecond,
            currentFailPerSec: row.failuresPerSecond,
            p50: row.currentChartPercentiles.count > 0 ? row.currentChartPercentiles[0] : nil,
            p95: row.currentChartPercentiles.count > 1 ? row.currentChartPercentiles[1] : nil,
            averageResponseTime: row.averageResponseTime)
    }
}
