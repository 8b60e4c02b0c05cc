/// One row of the per-second history (a line of Locust's `_stats_history.csv`): the current rates,
/// the percentiles and the running totals of one entry at one sampling time.
public struct StatsHistoryRow: Sendable, Codable, Equatable {
    /// The sampling time, whole seconds since the epoch.
    public var timestamp: Int
    /// The number of running users at that time.
    public var userCount: Int
    /// The request method (empty for the aggregated row).
    public var method: String
    /// The request name (`"Aggregated"` for the aggregated row).
    public var name: String
    /// Requests per second over Locust's current window.
    public var requestsPerSecond: Double
    /// Failures per second over Locust's current window.
    public var failuresPerSecond: Double
    /// Response times (ms) at the history's percentiles; `nil` before the first request ("N/A").
    public var percentiles: [Double]?
    /// The aggregated response times (ms) over the last 10 s at ``ReportedPercentiles/chart``
    /// (for charts); empty for per-entry rows, zeros when no request completed in the window.
    public var currentChartPercentiles: [Double]
    /// The entry's running request count.
    public var requestCount: Int
    /// The entry's running failure count.
    public var failureCount: Int
    /// The entry's median response time (ms).
    public var medianResponseTime: Double
    /// The entry's mean response time (ms).
    public var averageResponseTime: Double
    /// The entry's shortest response time (ms), `nil` before the first request.
    public var minResponseTime: Double?
    /// The entry's longest response time (ms).
    public var maxResponseTime: Double
    /// The entry's mean response body size (bytes).
    public var averageContentLength: Double

    /// Creates a row.
    public init(
        timestamp: Int, userCount: Int, method: String, name: String, requestsPerSecond: Double,
        failuresPerSecond: Double, percentiles: [Double]?, currentChartPercentiles: [Double] = [],
        requestCount: Int, failureCount: Int, medianResponseTime: Double, averageResponseTime: Double,
        minResponseTime: Double?, maxResponseTime: Double, averageContentLength: Double
    ) {
        self.timestamp = timestamp
        self.userCount = userCount
        self.method = method
        self.name = name
        self.requestsPerSecond = requestsPerSecond
        self.failuresPerSecond = failuresPerSecond
        self.percentiles = percentiles
        self.currentChartPercentiles = currentChartPercentiles
        self.requestCount = requestCount
        self.failureCount = failureCount
        self.medianResponseTime = medianResponseTime
        self.averageResponseTime = averageResponseTime
        self.minResponseTime = minResponseTime
        self.maxResponseTime = maxResponseTime
        self.averageContentLength = averageContentLength
    }
}
