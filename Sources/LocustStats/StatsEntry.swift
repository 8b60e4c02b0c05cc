/// The statistics of one request type — one (method, name) pair — or of the aggregate of all of
/// them: counts, response-time sums and extremes, an HDR response-time histogram and the number
/// of requests and failures in each wall-clock second.
///
/// Response times are milliseconds (`Double`); timestamps are seconds since the Unix epoch.
/// A value type: copies are independent, ``merge(_:)`` adds another entry exactly.
public struct StatsEntry: Sendable {
    /// The request method (`GET`, `POST`, …); empty for the aggregated entry.
    public let method: String
    /// The request name (usually the URL path); `"Aggregated"` for the aggregated entry.
    public let name: String
    /// The number of requests recorded (failed ones included).
    public internal(set) var numRequests: Int = 0
    /// The number of failed requests.
    public internal(set) var numFailures: Int = 0
    /// The sum of all response times, in milliseconds.
    public internal(set) var totalResponseTime: Double = 0
    /// The shortest response time in milliseconds, `nil` before the first request.
    public internal(set) var minResponseTime: Double?
    /// The longest response time in milliseconds (0 before the first request).
    public internal(set) var maxResponseTime: Double = 0
    /// The sum of the response body sizes, in bytes.
    public internal(set) var totalContentLength: Int = 0
    /// The response-time distribution (microsecond HDR histogram, 3 significant digits).
    public internal(set) var histogram = ResponseTimeHistogram()
    /// When this entry started counting (seconds since the epoch): its creation or last reset;
    /// 0 means "not yet", in which case the first record sets it.
    public internal(set) var startTime: Double
    /// The time of the latest request recorded, `nil` before the first one.
    public internal(set) var lastRequestTimestamp: Double?

    var requestsBySecond: [Int: Int] = [:]
    var failuresBySecond: [Int: Int] = [:]
    // The second currently being counted is kept outside the dictionaries so that the hot path
    // does not hash on every request; it is folded in when the second changes.
    private var pendingSecond = Int.min
    private var pendingRequests = 0
    private var pendingFailures = 0

    /// Moves every time of the entry by `seconds` (a slave's clock onto its master's).
    mutating func shift(bySeconds seconds: Int) {
        let delta = Double(seconds)
        if startTime != 0 { startTime += delta }
        lastRequestTimestamp = lastRequestTimestamp.map { $0 + delta }
        requestsBySecond = Dictionary(uniqueKeysWithValues: requestsBySecond.map { ($0.key &+ seconds, $0.value) })
        failuresBySecond = Dictionary(uniqueKeysWithValues: failuresBySecond.map { ($0.key &+ seconds, $0.value) })
        if pendingSecond != Int.min { pendingSecond &+= seconds }
    }

    /// Creates an empty entry.
    /// - Parameters:
    ///   - method: The request method; empty for the aggregated entry.
    ///   - name: The request name.
    ///   - startTime: When counting starts (seconds since the epoch); 0 lets the first record set it.
    public init(method: String, name: String, startTime: Double = 0) {
        self.method = method
        self.name = name
        self.startTime = startTime.isFinite ? startTime : 0
    }

    // MARK: Recording

    /// Records one request.
    /// - Parameters:
    ///   - responseTime: The response time in milliseconds (negative or non-finite counts as 0).
    ///   - contentLength: The response body size in bytes (negative counts as 0).
    ///   - failed: Whether the request failed; failed requests count as requests too, like Locust.
    ///   - timestamp: When the request completed, in seconds since the epoch.
    public mutating func record(responseTime: Double, contentLength: Int, failed: Bool, at timestamp: Double) {
        let milliseconds = Self.sanitized(responseTime)
        record(
            sanitizedMilliseconds: milliseconds,
            microseconds: ResponseTimeHistogram.microseconds(fromMilliseconds: milliseconds),
            contentLength: contentLength,
            failed: failed,
            at: timestamp.isFinite ? timestamp : 0,
            second: Self.second(of: timestamp))
    }

    /// The hot path, with the conversions done once by the caller for the entry and the total.
    @inline(__always)
    mutating func record(
        sanitizedMilliseconds milliseconds: Double, microseconds: UInt64, contentLength: Int,
        failed: Bool, at timestamp: Double, second: Int
    ) {
        numRequests += 1
        totalResponseTime += milliseconds
        if let currentMinimum = minResponseTime {
            if milliseconds < currentMinimum { minResponseTime = milliseconds }
        } else {
            minResponseTime = milliseconds
        }
        if milliseconds > maxResponseTime { maxResponseTime = milliseconds }
        totalContentLength &+= max(0, contentLength)
        histogram.record(microseconds: microseconds)
        if startTime == 0 { startTime = timestamp }
        if let last = lastRequestTimestamp {
            if timestamp > last { lastRequestTimestamp = timestamp }
        } else {
            lastRequestTimestamp = timestamp
        }
        if second != pendingSecond {
            flushPendingSecond()
            pendingSecond = second
        }
        pendingRequests += 1
        if failed {
            numFailures += 1
            pendingFailures += 1
        }
    }

    private mutating func flushPendingSecond() {
        if pendingRequests > 0 { requestsBySecond[pendingSecond, default: 0] &+= pendingRequests }
        if pendingFailures > 0 { failuresBySecond[pendingSecond, default: 0] &+= pendingFailures }
        pendingRequests = 0
        pendingFailures = 0
    }

    /// Adds all of `other` into this entry: counts and sums add, extremes combine, histograms and
    /// per-second counts add (exact), the start is the earlier one and the last request the later.
    public mutating func merge(_ other: StatsEntry) {
        // Wrapping adds: a corrupt snapshot from another process must not be able to trap.
        numRequests &+= other.numRequests
        numFailures &+= other.numFailures
        totalResponseTime += other.totalResponseTime
        if let otherMinimum = other.minResponseTime {
            minResponseTime = min(minResponseTime ?? otherMinimum, otherMinimum)
        }
        maxResponseTime = max(maxResponseTime, other.maxResponseTime)
        totalContentLength &+= other.totalContentLength
        histogram.add(other.histogram)
        if other.startTime != 0 {
            startTime = startTime == 0 ? other.startTime : min(startTime, other.startTime)
        }
        if let otherLast = other.lastRequestTimestamp {
            lastRequestTimestamp = max(lastRequestTimestamp ?? otherLast, otherLast)
        }
        flushPendingSecond()
        pendingSecond = Int.min
        for (second, count) in other.requestsPerSecond { requestsBySecond[second, default: 0] &+= count }
        for (second, count) in other.failuresPerSecond { failuresBySecond[second, default: 0] &+= count }
    }

    /// Clears every count and restarts the entry at `time` (seconds since the epoch).
    public mutating func reset(at time: Double) {
        self = StatsEntry(method: method, name: name, startTime: time)
    }

    // MARK: Per-second counts

    /// The number of requests in each wall-clock second (`Int(timestamp)` → count).
    public var requestsPerSecond: [Int: Int] {
        var result = requestsBySecond
        if pendingRequests > 0 { result[pendingSecond, default: 0] &+= pendingRequests }
        return result
    }

    /// The number of failures in each wall-clock second (`Int(timestamp)` → count).
    public var failuresPerSecond: [Int: Int] {
        var result = failuresBySecond
        if pendingFailures > 0 { result[pendingSecond, default: 0] &+= pendingFailures }
        return result
    }

    /// The number of requests recorded in the given second.
    public func requests(inSecond second: Int) -> Int {
        (requestsBySecond[second] ?? 0) &+ (second == pendingSecond ? pendingRequests : 0)
    }

    /// The number of failures recorded in the given second.
    public func failures(inSecond second: Int) -> Int {
        (failuresBySecond[second] ?? 0) &+ (second == pendingSecond ? pendingFailures : 0)
    }

    // MARK: Derived values

    /// The mean response time in milliseconds (0 without requests).
    public var average: Double {
        numRequests == 0 ? 0 : totalResponseTime / Double(numRequests)
    }

    /// The median response time in milliseconds (see ``percentile(_:)``).
    public var median: Double { percentile(0.5) }

    /// The mean response body size in bytes (0 without requests).
    public var averageContentLength: Double {
        numRequests == 0 ? 0 : Double(totalContentLength) / Double(numRequests)
    }

    /// Failures divided by requests; 1 when there are failures but no requests, as in Locust.
    public var failRatio: Double {
        if numRequests > 0 { return Double(numFailures) / Double(numRequests) }
        return numFailures > 0 ? 1 : 0
    }

    /// The response time in milliseconds that the fraction `p` (0...1) of the requests did not
    /// exceed, by the nearest-rank rule, within 0.1 % of the exact sample value and always within
    /// [``minResponseTime``, ``maxResponseTime``]: `p = 1` returns the maximum exactly and `p = 0`
    /// the minimum. 0 without requests.
    public func percentile(_ p: Double) -> Double {
        percentiles([p])[0]
    }

    /// Several percentiles (fractions) from one pass over the histogram; see ``percentile(_:)``.
    public func percentiles(_ ps: [Double]) -> [Double] {
        guard numRequests > 0, !histogram.isEmpty else { return ps.map { _ in 0 } }
        let lowest = minResponseTime ?? 0
        let values = histogram.values(atPercentiles: ps)
        return zip(ps, values).map { p, value in
            if p >= 1 { return maxResponseTime }
            if !(p > 0) { return lowest }
            return min(max(value, lowest), maxResponseTime)
        }
    }

    /// Requests per second over the recent window, computed like Locust's `current_rps`: the mean
    /// of the per-second counts for the seconds `max(now − 12, start) ..< now − 2`, which leaves
    /// out the current second and the two before it (they may still be filling up). 0 when the
    /// window is empty.
    /// - Parameters:
    ///   - now: The reference time; Locust uses the aggregated entry's ``lastRequestTimestamp``.
    ///   - start: The earliest second that may count; Locust uses the aggregated entry's
    ///     ``startTime``. Defaults to this entry's.
    public func currentRPS(now: Double, since start: Double? = nil) -> Double {
        windowAverage(now: now, since: start, count: requests(inSecond:))
    }

    /// Failures per second over the same window as ``currentRPS(now:since:)``.
    public func currentFailPerSec(now: Double, since start: Double? = nil) -> Double {
        windowAverage(now: now, since: start, count: failures(inSecond:))
    }

    private func windowAverage(now: Double, since start: Double?, count: (Int) -> Int) -> Double {
        guard now.isFinite else { return 0 }
        let end = Self.second(of: now)
        let first = max(end - 12, Self.second(of: start ?? startTime))
        let last = end - 2
        guard first < last else { return 0 }
        var sum = 0
        for second in first ..< last { sum &+= count(second) }
        return Double(sum) / Double(last - first)
    }

    /// Requests per second over the whole run: requests / (last request − start), 0 when unknown.
    public var totalRPS: Double {
        totalRPS(startTime: startTime, lastRequestTimestamp: lastRequestTimestamp)
    }

    /// Failures per second over the whole run: failures / (last request − start), 0 when unknown.
    public var totalFailPerSec: Double {
        totalFailPerSec(startTime: startTime, lastRequestTimestamp: lastRequestTimestamp)
    }

    /// Requests / (`lastRequestTimestamp` − `startTime`); Locust divides every entry by the
    /// aggregated entry's times. 0 when either time is missing or the span is 0.
    public func totalRPS(startTime: Double, lastRequestTimestamp: Double?) -> Double {
        Self.rate(numRequests, startTime: startTime, lastRequestTimestamp: lastRequestTimestamp)
    }

    /// Failures / (`lastRequestTimestamp` − `startTime`), as ``totalRPS(startTime:lastRequestTimestamp:)``.
    public func totalFailPerSec(startTime: Double, lastRequestTimestamp: Double?) -> Double {
        Self.rate(numFailures, startTime: startTime, lastRequestTimestamp: lastRequestTimestamp)
    }

    private static func rate(_ count: Int, startTime: Double, lastRequestTimestamp: Double?) -> Double {
        guard let last = lastRequestTimestamp, last != 0, startTime != 0 else { return 0 }
        let span = last - startTime
        return span == 0 ? 0 : Double(count) / span
    }

    // MARK: Helpers

    /// A response time fit for the sums: negative and non-finite values become 0, huge ones are capped.
    @inline(__always)
    static func sanitized(_ milliseconds: Double) -> Double {
        guard milliseconds > 0 else { return 0 }
        return milliseconds < 1e12 ? milliseconds : 1e12
    }

    /// `int(timestamp)`: the wall-clock second a timestamp falls in (0 for non-finite values,
    /// clamped to ±2⁵⁰ so that arithmetic on seconds cannot overflow).
    @inline(__always)
    static func second(of timestamp: Double) -> Int {
        let limit = 1_125_899_906_842_624.0  // 2^50
        guard timestamp.isFinite else { return 0 }
        return Int(min(max(timestamp, -limit), limit).rounded(.towardZero))
    }
}

// MARK: Values as Locust's Python code holds them (used by the CSV and console formats)

extension StatsEntry {
    /// `median_response_time`, see ``PythonNumber/median(_:min:max:count:)``.
    var locustMedian: PythonNumber {
        .median(median, min: minResponseTime, max: maxResponseTime, count: numRequests)
    }

    /// `min_response_time or 0`.
    var locustMin: PythonNumber { .minimum(minResponseTime) }

    /// `max_response_time`.
    var locustMax: PythonNumber { .maximum(maxResponseTime) }

    /// `avg_content_length`.
    var locustAverageContentLength: PythonNumber {
        .averageContentLength(averageContentLength, count: numRequests)
    }
}

extension StatsEntry: Equatable {
    /// Entries are equal when every count, sum, extreme, time, histogram and per-second count is.
    public static func == (lhs: StatsEntry, rhs: StatsEntry) -> Bool {
        lhs.method == rhs.method && lhs.name == rhs.name && lhs.numRequests == rhs.numRequests
            && lhs.numFailures == rhs.numFailures && lhs.totalResponseTime == rhs.totalResponseTime
            && lhs.minResponseTime == rhs.minResponseTime && lhs.maxResponseTime == rhs.maxResponseTime
            && lhs.totalContentLength == rhs.totalContentLength && lhs.startTime == rhs.startTime
            && lhs.lastRequestTimestamp == rhs.lastRequestTimestamp && lhs.histogram == rhs.histogram
            && lhs.requestsPerSecond == rhs.requestsPerSecond && lhs.failuresPerSecond == rhs.failuresPerSecond
    }
}

extension StatsEntry: Codable {
    private enum CodingKeys: String, CodingKey {
        case method, name, numRequests, numFailures, totalResponseTime, minResponseTime, maxResponseTime
        case totalContentLength, histogram, startTime, lastRequestTimestamp, requestsPerSecond, failuresPerSecond
    }

    /// Decodes an entry (as sent by another process); negative counts are rejected.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        method = try container.decode(String.self, forKey: .method)
        name = try container.decode(String.self, forKey: .name)
        numRequests = try container.decode(Int.self, forKey: .numRequests)
        numFailures = try container.decode(Int.self, forKey: .numFailures)
        guard numRequests >= 0, numFailures >= 0 else {
            throw DecodingError.dataCorruptedError(
                forKey: .numRequests, in: container, debugDescription: "negative request or failure count")
        }
        totalResponseTime = try container.decode(Double.self, forKey: .totalResponseTime)
        minResponseTime = try container.decodeIfPresent(Double.self, forKey: .minResponseTime)
        maxResponseTime = try container.decode(Double.self, forKey: .maxResponseTime)
        totalContentLength = try container.decode(Int.self, forKey: .totalContentLength)
        histogram = try container.decode(ResponseTimeHistogram.self, forKey: .histogram)
        startTime = try container.decode(Double.self, forKey: .startTime)
        lastRequestTimestamp = try container.decodeIfPresent(Double.self, forKey: .lastRequestTimestamp)
        requestsBySecond = try container.decode([Int: Int].self, forKey: .requestsPerSecond)
        failuresBySecond = try container.decode([Int: Int].self, forKey: .failuresPerSecond)
    }

    /// Encodes the entry with its histogram in sparse form and the per-second counts as maps.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(method, forKey: .method)
        try container.encode(name, forKey: .name)
        try container.encode(numRequests, forKey: .numRequests)
        try container.encode(numFailures, forKey: .numFailures)
        try container.encode(totalResponseTime, forKey: .totalResponseTime)
        try container.encodeIfPresent(minResponseTime, forKey: .minResponseTime)
        try container.encode(maxResponseTime, forKey: .maxResponseTime)
        try container.encode(totalContentLength, forKey: .totalContentLength)
        try container.encode(histogram, forKey: .histogram)
        try container.encode(startTime, forKey: .startTime)
        try container.encodeIfPresent(lastRequestTimestamp, forKey: .lastRequestTimestamp)
        try container.encode(requestsPerSecond, forKey: .requestsPerSecond)
        try container.encode(failuresPerSecond, forKey: .failuresPerSecond)
    }
}
