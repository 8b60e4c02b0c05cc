/// Runs an action after a delay: the controller's per-test timer (`-t`, `run_time`). Injected, so that
/// tests fire timers by hand instead of sleeping.
public protocol RunScheduler: Sendable {
    /// Runs `action` once after `delay`, unless the returned timer is cancelled first.
    func schedule(after delay: Duration, _ action: @escaping @Sendable () async -> Void) -> any ScheduledTimer
}

/// A scheduled action that can be cancelled.
public protocol ScheduledTimer: Sendable {
    /// Cancels the action if it has not run; harmless after.
    func cancel()
}

/// The real clock: a task that sleeps, then runs the action.
public struct TaskScheduler: RunScheduler {
    /// Creates a scheduler on the continuous clock.
    public init() {}

    public func schedule(after delay: Duration, _ action: @escaping @Sendable () async -> Void) -> any ScheduledTimer {
        TaskTimer(task: Task {
            do {
                try await Task.sleep(for: delay, clock: .continuous)
            } catch {
                return
            }
            await action()
        })
    }

    struct TaskTimer: ScheduledTimer {
        let task: Task<Void, Never>
        func cancel() { task.cancel() }
    }
}
