import MessagePack

/// What a master controller needs of its coordinator; ``MasterCoordinator`` is the real one, tests use
/// a fake.
public protocol ClusterCoordinating: Sendable {
    /// Slaves connected and not missing.
    var activeSlaveCount: Int { get }
    /// Users the slaves report running.
    var userCount: Int { get }
    /// Each slave, by id.
    var workers: [WorkerStatus] { get }
    /// The users per class ordered to the active slaves, summed.
    var assignedCounts: [String: Int] { get }
    /// Orders `users` in all at `rate` per second, on `host` when given, of `classNames`.
    func start(users: Int, rate: Double, host: String?, classNames: [String]?)
    /// Sends these scenario option values (typed for `parsed_options`) in the orders from now on.
    func setScenarioOptions(_ options: [String: MessagePackValue])
    /// Orders an open-model test: each SwiftLocust slave an equal share of `plan`.
    func startArrivals(_ plan: ArrivalPlan, host: String?, classNames: [String]?)
    /// Stops every slave's users; returns once all answered (or their time ran out).
    func stop(stopTimeout: Double) async
    /// Calls `handler` with every event from now on.
    func onEvent(_ handler: @escaping @Sendable (MasterCoordinator.Event) -> Void)
}

extension ClusterCoordinating {
    /// Coordinators without an open model (test fakes) order nothing.
    public func startArrivals(_ plan: ArrivalPlan, host: String?, classNames: [String]?) {}
}
