/// A number the way Locust's Python code holds it: an `int` or a `float`, which matters for how
/// `csv.writer` (which calls `str()`) and `%d` print it.
enum PythonNumber: Equatable, Sendable {
    /// A Python `int`.
    case int(Int)
    /// A Python `float`.
    case float(Double)

    /// `str(x)`, as `csv.writer` writes it.
    var text: String {
        switch self {
        case .int(let value): return "\(value)"
        case .float(let value): return PythonFormat.repr(value)
        }
    }

    /// `int(x)`, as `%d` prints it.
    var truncated: Int {
        switch self {
        case .int(let value): return value
        case .float(let value): return PythonFormat.truncated(value)
        }
    }
}

// MARK: The values Locust's `StatsEntry` reports

extension PythonNumber {
    /// `median_response_time`: the median rounded to a whole millisecond (Locust's histogram keys
    /// are whole milliseconds below 100 ms), but kept within [min, max], where it is the exact
    /// float — so a lone 0.4 ms request has median `0.4`, as in Locust. `0` without requests.
    static func median(_ median: Double, min: Double?, max: Double, count: Int) -> PythonNumber {
        guard count > 0 else { return .int(0) }
        let rounded = median.rounded(.toNearestOrEven)
        if rounded > max { return .float(max) }
        if let min, rounded < min { return .float(min) }
        return .int(PythonFormat.truncated(rounded))
    }

    /// `min_response_time or 0`.
    static func minimum(_ min: Double?) -> PythonNumber {
        guard let min, min != 0 else { return .int(0) }
        return .float(min)
    }

    /// `max_response_time` (an `int` 0 until a non-zero time is seen).
    static func maximum(_ max: Double) -> PythonNumber {
        max == 0 ? .int(0) : .float(max)
    }

    /// `avg_content_length` (an `int` 0 without requests).
    static func averageContentLength(_ average: Double, count: Int) -> PythonNumber {
        count == 0 ? .int(0) : .float(average)
    }

    /// `int(get_response_time_percentile(p))`: a percentile as whole milliseconds.
    static func percentile(_ milliseconds: Double) -> Int {
        PythonFormat.truncated(milliseconds.rounded(.toNearestOrEven))
    }
}
