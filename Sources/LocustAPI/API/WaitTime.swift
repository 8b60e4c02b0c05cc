/// How long a user waits after each task, like Locust's `wait_time`.
///
/// ```swift
/// static let waitTime = WaitTime.between(1, 3)          // 1 to 3 s, uniformly
/// static let waitTime = WaitTime.constantThroughput(2)  // at most 2 tasks per second
/// ```
public struct WaitTime: Sendable, Hashable, CustomStringConvertible {
    enum Kind: Sendable, Hashable {
        case constant(Double)
        case between(Double, Double)
        case pacing(Double)
    }

    let kind: Kind

    /// Always the same wait, in seconds.
    public static func constant(_ seconds: Double) -> WaitTime {
        WaitTime(kind: .constant(max(0, seconds)))
    }

    /// A wait drawn uniformly between `minimum` and `maximum` seconds.
    public static func between(_ minimum: Double, _ maximum: Double) -> WaitTime {
        let low = max(0, Swift.min(minimum, maximum))
        return WaitTime(kind: .between(low, max(low, Swift.max(minimum, maximum))))
    }

    /// Starts a task every `seconds` seconds whatever the task took (no wait if it took longer).
    public static func constantPacing(_ seconds: Double) -> WaitTime {
        WaitTime(kind: .pacing(max(0, seconds)))
    }

    /// Runs at most `tasksPerSecond` tasks per second: pacing of `1 / tasksPerSecond` seconds.
    public static func constantThroughput(_ tasksPerSecond: Double) -> WaitTime {
        WaitTime(kind: .pacing(tasksPerSecond > 0 ? 1 / tasksPerSecond : 0))
    }

    /// The wait in seconds after a task that ran for `taskDuration` seconds; `unit` is a random
    /// number in `0..<1` (used by ``between(_:_:)``).
    public func delay(afterTaskDuration taskDuration: Double, unit: Double) -> Double {
        switch kind {
        case .constant(let seconds):
            return seconds
        case .between(let low, let high):
            return low + (high - low) * unit
        case .pacing(let seconds):
            return max(0, seconds - taskDuration)
        }
    }

    /// True when ``delay(afterTaskDuration:unit:)`` depends on how long the task took (pacing).
    var dependsOnTaskDuration: Bool {
        if case .pacing = kind { return true }
        return false
    }

    /// Locust's spelling: `constant(1)`, `between(1, 3)`, `constant_pacing(2)`.
    public var description: String {
        switch kind {
        case .constant(let seconds): "constant(\(seconds))"
        case .between(let low, let high): "between(\(low), \(high))"
        case .pacing(let seconds): "constant_pacing(\(seconds))"
        }
    }
}
