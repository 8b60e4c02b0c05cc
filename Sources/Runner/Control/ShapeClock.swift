/// The seconds a ``ShapedRunController`` ticks on. Injected, so that tests move time by hand.
protocol ShapeClock: Sendable {
    /// Returns once `second` whole seconds have passed since the clock's `start`; false if cancelled.
    func wait(untilSecond second: Int, since start: ContinuousClock.Instant) async -> Bool
    /// Now, on the clock's own time line.
    var now: ContinuousClock.Instant { get }
}

/// The real clock: sleeps on the continuous clock, scheduled against the start so it does not drift.
struct ContinuousShapeClock: ShapeClock {
    func wait(untilSecond second: Int, since start: ContinuousClock.Instant) async -> Bool {
        do {
            try await Task.sleep(until: start + .seconds(second), clock: .continuous)
            return true
        } catch {
            return false
        }
    }

    var now: ContinuousClock.Instant { .now }
}
