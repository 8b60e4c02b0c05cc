@_spi(Runner) import LocustAPI

/// What a standalone controller (and a slave) needs of the users of this process; ``UserSpawner`` is the
/// real one, tests use a fake.
public protocol UserSpawning: Sendable {
    /// Users running now.
    var aliveCount: Int { get }
    /// Supersedes any ramp in progress and returns the next ramp's ticket.
    func newTicket() async -> Int
    /// Uses `host` for the users started from now on (nil keeps the current one).
    func setHost(_ host: String?) async
    /// Gives the users started from now on these scenario option values.
    func setScenarioOptions(_ options: ScenarioOptions) async
    /// Moves toward `target` users per class at `rate` per second; false when superseded.
    func spawn(target: [Int], rate: Double, ticket: Int) async -> Bool
    /// Stops every user, giving each `timeout` seconds to finish its task.
    func stopAll(timeout: Double) async
    /// Users started and not stopped, per class name.
    var countsByClass: [String: Int] { get async }
    /// Calls `handler` each time the last running user ends.
    func onAllUsersEnded(_ handler: @escaping @Sendable () -> Void) async
    /// Runs an open-model test with classes weighted by `weights`; true when its schedule ended, false
    /// when superseded or stopped.
    func runArrivals(_ plan: ArrivalPlan, weights: [Int], ticket: Int) async -> Bool
}

extension UserSpawning {
    /// Spawners without an open model (test fakes) end at once.
    public func runArrivals(_ plan: ArrivalPlan, weights: [Int], ticket: Int) async -> Bool { false }
}
