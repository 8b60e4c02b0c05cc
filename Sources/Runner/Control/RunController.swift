import LocustStats

/// The one thing every front end drives (the headless command line, the web UI and its API): Locust's
/// `LocalRunner` and `MasterRunner` behind one set of operations.
///
/// A controller owns the test's state machine and its per-test timer. `start` begins a test, or edits
/// the running one (new user count or rate, as Locust's "Edit"); `stop` ends it; a new test may start
/// after a stop, any number of times in one process. Transitions are announced on ``events``.
public protocol RunController: Actor {
    /// The statistics of the current test (merged from slaves on a master).
    nonisolated var stats: RequestStats { get }
    /// The controller's transitions, in order.
    nonisolated var events: EventBroadcaster { get }
    /// True on a master.
    nonisolated var isDistributed: Bool { get }
    /// The state and counts now, without waiting for the actor.
    nonisolated func status() -> RunStatus

    /// Starts a test, or changes the running one; refused with one line for bad input.
    func start(_ request: StartRequest) async throws(StartRefusal)
    /// Stops the test and returns once it is stopped (at once when none runs).
    func stop(reason: StopReason) async
    /// Resets the statistics (the test goes on).
    func reset() async
    /// Users running now per class name (Locust's `user_classes_count`; the master's, as its slaves report).
    func userClassCounts() async -> [String: Int]
}
