/// A threshold checked against a snapshot.
public struct ThresholdResult: Sendable, Equatable {
    /// The threshold.
    public var threshold: Threshold
    /// The value measured; nil when its request never ran (then it fails).
    public var measured: Double?
    /// Whether the measured value meets the limit.
    public var passed: Bool

    /// One summary line: `✓ p95<300  (p95 = 12)` or `✗ GET /x:p99<5  (no such request)`.
    public var line: String {
        let mark = passed ? "✓" : "✗"
        let value = measured.map { PythonFormat.repr(($0 * 1000).rounded() / 1000) } ?? "no such request ran"
        return "\(mark) \(threshold.text)  (measured: \(value))"
    }

    /// The summary's section: a title, then a line per threshold (empty without thresholds).
    public static func report(_ results: [ThresholdResult]) -> String {
        guard !results.isEmpty else { return "" }
        let failed = results.filter { !$0.passed }.count
        let title = failed == 0 ? "Thresholds: all \(results.count) passed" : "Thresholds: \(failed) of \(results.count) failed"
        return ([title] + results.map { "  " + $0.line }).joined(separator: "\n") + "\n\n"
    }
}
