/// A sleep on an engine thread's timers until absolute monotonic deadlines, cancellable from any
/// thread: the open model's iteration schedule, without a thread or a dispatch timer of its own.
@_spi(Runner) public final class EngineTimer: Sendable {
    /// The thread whose timer heap it sleeps on.
    public let thread: EngineThread
    private let control = UserControl()

    /// Creates a timer on `thread`.
    public init(thread: EngineThread) {
        self.thread = thread
    }

    /// The monotonic clock in nanoseconds (the clock of ``wait(untilNanoseconds:)``).
    public static func now() -> UInt64 { MonotonicClock.nanoseconds() }

    /// Sleeps until `deadline` (``now()``'s clock); returns false once ``cancel()`` was called.
    public func wait(untilNanoseconds deadline: UInt64) async -> Bool {
        await control.wait(untilNanoseconds: deadline, on: thread)
    }

    /// Wakes a sleeper at once and makes every later wait return false.
    public func cancel() {
        control.requestStop(kill: false)
    }

    /// True once ``cancel()`` was called.
    public var isCancelled: Bool { control.isStopping }
}
