/// A pass/fail criterion on a run's statistics, as k6's thresholds: `p95<300`, `fail_ratio<0.01`,
/// `avg<100`, `rps>500`, or for one request `GET /items/[id]:p99<500`.
///
/// Metrics: `pNN` (any percentile, e.g. `p50`, `p99.9`, in ms), `med`, `avg`, `min`, `max` (ms),
/// `fail_ratio` (0-1), `rps` and `fail_rps` (over the whole run), `requests`, `fails` (counts).
/// Operators: `<`, `<=`, `>`, `>=`.
public struct Threshold: Sendable, Equatable, CustomStringConvertible {
    /// What is measured.
    public enum Metric: Sendable, Equatable {
        case percentile(Double)
        case average, minimum, maximum, failRatio, requestsPerSecond, failuresPerSecond, requests, failures
    }

    /// How the measured value compares with the limit.
    public enum Comparison: String, Sendable, Equatable {
        case less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">="

        func holds(_ value: Double, _ limit: Double) -> Bool {
            switch self {
            case .less: value < limit
            case .lessOrEqual: value <= limit
            case .greater: value > limit
            case .greaterOrEqual: value >= limit
            }
        }
    }

    /// The request it is about (`GET /items/[id]`, or a name alone); nil for the aggregate.
    public var request: String?
    public var metric: Metric
    public var comparison: Comparison
    public var limit: Double
    /// The text it was parsed from.
    public var text: String

    public var description: String { text }

    /// Parses `[REQUEST:]METRIC OP VALUE`; the error says what is wrong in one line.
    public static func parse(_ text: String) throws(ThresholdError) -> Threshold {
        let trimmed = String(text.trimmedSpaces)
        var expression = Substring(trimmed)
        var request: String?
        if let colon = trimmed.lastIndex(of: ":") {
            let name = trimmed[..<colon].trimmedSpaces
            guard !name.isEmpty else { throw ThresholdError(text, "no request name before ':'") }
            request = String(name)
            expression = trimmed[trimmed.index(after: colon)...]
        }
        guard let operatorStart = expression.firstIndex(where: { $0 == "<" || $0 == ">" }) else {
            throw ThresholdError(text, "no comparison: use <, <=, > or >=, as in p95<300")
        }
        let metricText = expression[..<operatorStart].trimmedSpaces.lowercased()
        var rest = expression[operatorStart...]
        let symbol: String = rest.dropFirst().first == "=" ? String(rest.prefix(2)) : String(rest.prefix(1))
        rest = rest.dropFirst(symbol.count)
        guard let comparison = Comparison(rawValue: symbol) else { throw ThresholdError(text, "bad comparison '\(symbol)'") }
        let valueText = String(rest.trimmedSpaces)
        guard let limit = Double(valueText), limit.isFinite else {
            throw ThresholdError(text, "'\(valueText)' is not a number")
        }
        let metric: Metric
        switch metricText {
        case "avg", "mean": metric = .average
        case "min": metric = .minimum
        case "max": metric = .maximum
        case "med", "median": metric = .percentile(0.5)
        case "fail_ratio", "failure_ratio": metric = .failRatio
        case "rps": metric = .requestsPerSecond
        case "fail_rps", "failures_per_second": metric = .failuresPerSecond
        case "requests", "count": metric = .requests
        case "fails", "failures": metric = .failures
        default:
            guard metricText.hasPrefix("p"), let percent = Double(metricText.dropFirst()), percent > 0, percent <= 100 else {
                throw ThresholdError(
                    text, "unknown metric '\(metricText)': use pNN, med, avg, min, max, fail_ratio, rps, fail_rps, requests or fails")
            }
            metric = .percentile((percent * 10_000_000).rounded() / 1_000_000_000)
        }
        return Threshold(request: request, metric: metric, comparison: comparison, limit: limit, text: trimmed)
    }

    /// The measured value in `snapshot`, or nil when the request never ran.
    public func measure(_ snapshot: StatsSnapshot) -> Double? {
        let entry: StatsEntry
        if let request {
            let parts = request.split(separator: " ", maxSplits: 1)
            let match: StatsEntry?
            if parts.count == 2, let byMethod = snapshot.entry(method: String(parts[0]), name: String(parts[1])) {
                match = byMethod
            } else {
                match = snapshot.entries.first { $0.name == request }
            }
            guard let match else { return nil }
            entry = match
        } else {
            entry = snapshot.total
        }
        switch metric {
        case .percentile(let p): return entry.numRequests > 0 ? entry.percentile(p) : nil
        case .average: return entry.numRequests > 0 ? entry.average : nil
        case .minimum: return entry.minResponseTime
        case .maximum: return entry.numRequests > 0 ? entry.maxResponseTime : nil
        case .failRatio: return entry.failRatio
        case .requestsPerSecond: return snapshot.totalRPS(of: entry)
        case .failuresPerSecond: return snapshot.totalFailPerSec(of: entry)
        case .requests: return Double(entry.numRequests)
        case .failures: return Double(entry.numFailures)
        }
    }

    /// Checks the threshold against `snapshot`.
    public func evaluate(_ snapshot: StatsSnapshot) -> ThresholdResult {
        let value = measure(snapshot)
        return ThresholdResult(threshold: self, measured: value, passed: value.map { comparison.holds($0, limit) } ?? false)
    }
}

extension StringProtocol {
    /// Without leading and trailing spaces and tabs (LocustStats does without Foundation).
    fileprivate var trimmedSpaces: SubSequence {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return self[endIndex...]
        }
        return self[first...last]
    }
}
