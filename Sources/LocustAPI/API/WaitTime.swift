internal import Foundation

/// How long a user waits after each task, like Locust's `wait_time`.
///
/// ```swift
/// static let waitTime = WaitTime.between(1, 3)          // 1 to 3 s, uniformly
/// static let waitTime = WaitTime.constantThroughput(2)  // at most 2 tasks per second
/// static let waitTime = WaitTime.poisson(2)             // 2 tasks per second on average, at random
/// static let waitTime = WaitTime.custom("think") { Double.random(in: 3...8) }
/// ```
public struct WaitTime: Sendable, Hashable, CustomStringConvertible {
    enum Kind: Sendable, Hashable {
        case constant(Double)
        case between(Double, Double)
        case pacing(Double)
        case poisson(Double)
        case custom(CustomWait)
    }

    /// A wait computed by the scenario's own closure; equal only to itself.
    final class CustomWait: Sendable, Hashable {
        let name: String
        let seconds: @Sendable () -> Double

        init(name: String, seconds: @escaping @Sendable () -> Double) {
            self.name = name
            self.seconds = seconds
        }

        static func == (lhs: CustomWait, rhs: CustomWait) -> Bool { lhs === rhs }
        func hash(into hasher: inout Hasher) { hasher.combine(ObjectIdentifier(self)) }
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

    /// Waits drawn from an exponential distribution of mean `1 / tasksPerSecond` seconds (Locust
    /// 2.47's `poisson(rate)`): on average `tasksPerSecond` tasks per second per user, arriving as a
    /// Poisson process, with the bursts and lulls real users have. A rate of 0 or less is refused
    /// when the plugin is loaded.
    public static func poisson(_ tasksPerSecond: Double) -> WaitTime {
        WaitTime(kind: .poisson(tasksPerSecond))
    }

    /// A wait the scenario computes itself, in seconds, after every task (negative and non-finite
    /// values count as 0); `name` is what `--list` and the logs show.
    public static func custom(_ name: String = "custom", _ seconds: @escaping @Sendable () -> Double) -> WaitTime {
        WaitTime(kind: .custom(CustomWait(name: name, seconds: seconds)))
    }

    /// Why this wait time cannot run (`poisson` with a rate of 0 or less), or nil.
    public var problem: String? {
        if case .poisson(let rate) = kind, !(rate > 0) || !rate.isFinite {
            return "poisson() requires a positive rate, got \(rate)"
        }
        return nil
    }

    /// The wait in seconds after a task that ran for `taskDuration` seconds; `unit` is a random
    /// number in `0..<1` (used by ``between(_:_:)`` and ``poisson(_:)``).
    public func delay(afterTaskDuration taskDuration: Double, unit: Double) -> Double {
        switch kind {
        case .constant(let seconds):
            return seconds
        case .between(let low, let high):
            return low + (high - low) * unit
        case .pacing(let seconds):
            return max(0, seconds - taskDuration)
        case .poisson(let rate):
            // Inverse transform sampling: -ln(1 - U) / rate, as Python's random.expovariate.
            guard rate > 0, rate.isFinite else { return 0 }
            return -Foundation.log(1 - unit) / rate
        case .custom(let wait):
            let seconds = wait.seconds()
            return seconds.isFinite && seconds > 0 ? seconds : 0
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
        case .poisson(let rate): "poisson(\(rate))"
        case .custom(let wait): "\(wait.name)()"
        }
    }
}
