import MessagePack
import Synchronization
@testable import LocustRunner

/// A coordinator whose slaves are whatever the test says.
final class FakeCoordinator: ClusterCoordinating {
    struct Start: Sendable, Equatable {
        var users: Int
        var rate: Double
        var host: String?
        var classNames: [String]?
    }

    private struct State {
        var active = 0
        var users = 0
        var starts: [Start] = []
        var stops: [Double] = []
        var scenarioOptions: [[String: MessagePackValue]] = []
        var arrivals: [ArrivalPlan] = []
        var pythonWorkers = 0
        var handler: (@Sendable (MasterCoordinator.Event) -> Void)?
    }

    private let state = Mutex(State())

    var activeSlaveCount: Int { state.withLock { $0.active } }
    var userCount: Int { state.withLock { $0.users } }
    var workers: [WorkerStatus] {
        let python = state.withLock { $0.pythonWorkers }
        return (0..<activeSlaveCount).map {
            WorkerStatus(
                id: "slave\($0)", hostname: "h", state: .running, userCount: 0, cpuUsage: 1, memoryUsage: 2, lastHeartbeat: 0,
                isLocustWorker: $0 < python)
        }
    }
    var starts: [Start] { state.withLock { $0.starts } }
    var assignedCounts: [String: Int] { ["Web": userCount] }
    var stops: [Double] { state.withLock { $0.stops } }

    func start(users: Int, rate: Double, host: String?, classNames: [String]?) {
        state.withLock { $0.starts.append(Start(users: users, rate: rate, host: host, classNames: classNames)) }
    }

    func setScenarioOptions(_ options: [String: MessagePackValue]) {
        state.withLock { $0.scenarioOptions.append(options) }
    }

    var arrivals: [ArrivalPlan] { state.withLock { $0.arrivals } }

    func startArrivals(_ plan: ArrivalPlan, host: String?, classNames: [String]?) {
        state.withLock { $0.arrivals.append(plan) }
    }

    /// The first `count` slaves are Python Locust workers.
    func setPythonWorkers(_ count: Int) {
        state.withLock { $0.pythonWorkers = count }
    }

    func stop(stopTimeout: Double) async {
        state.withLock { $0.stops.append(stopTimeout) }
    }

    func onEvent(_ handler: @escaping @Sendable (MasterCoordinator.Event) -> Void) {
        state.withLock { $0.handler = handler }
    }

    /// `count` slaves are connected now (and `missing` are missing).
    func setSlaves(_ count: Int, missing: Int = 0) {
        let handler = state.withLock { state in
            state.active = count
            return state.handler
        }
        handler?(.slavesChanged(active: count, missing: missing))
    }

    /// Every slave reached its share.
    func completeSpawning(users: Int) {
        let handler = state.withLock { state in
            state.users = users
            return state.handler
        }
        handler?(.spawningComplete(users: users))
    }
}
