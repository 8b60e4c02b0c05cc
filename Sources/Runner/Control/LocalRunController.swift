import Foundation
import LocustAPI
import LocustStats
import Synchronization

/// The standalone controller (Locust's `LocalRunner`): users of this process, one statistics table.
public actor LocalRunController: RunController {
    /// One class the controller can run.
    public struct ClassInfo: Sendable, Equatable {
        /// Its name.
        public var name: String
        /// Its weight.
        public var weight: Int
        /// Its own host, if it has one.
        public var host: String?

        /// Creates a class description.
        public init(name: String, weight: Int, host: String?) {
            self.name = name
            self.weight = weight
            self.host = host
        }
    }

    public nonisolated let stats: RequestStats
    public nonisolated let events = EventBroadcaster()
    public nonisolated var isDistributed: Bool { false }

    private let classes: [ClassInfo]
    private let spawner: any UserSpawning
    private let scheduler: any RunScheduler
    private let logger: RunLogger
    private let stopTimeout: Double
    private let resetStatsWhenSpawned: Bool
    private var gate = StartGate()
    private var runTimer: (any ScheduledTimer)?
    private var stopWaiters: [CheckedContinuation<Void, Never>] = []
    private nonisolated let published: Mutex<RunStatus>

    /// Creates a controller over `spawner`, whose classes are `classes` in the same order.
    public init(
        classes: [ClassInfo], spawner: any UserSpawning, stats: RequestStats, host: String?, stopTimeout: Double,
        resetStatsWhenSpawned: Bool, scheduler: any RunScheduler = TaskScheduler(), logger: RunLogger
    ) {
        self.classes = classes
        self.spawner = spawner
        self.stats = stats
        self.scheduler = scheduler
        self.logger = logger
        self.stopTimeout = stopTimeout
        self.resetStatsWhenSpawned = resetStatsWhenSpawned
        published = Mutex(RunStatus(
            state: .ready, userCount: 0, targetUsers: 0, spawnRate: 0, host: host, userClasses: classes.map(\.name),
            testIndex: 0, workers: []))
    }

    /// Starts watching the spawner for users that all end by themselves; call once before the first start.
    public func attach() async {
        await spawner.onAllUsersEnded { [weak self] in
            guard let self else { return }
            Task { await self.usersEnded() }
        }
    }

    public nonisolated func status() -> RunStatus {
        var status = published.withLock { $0 }
        status.userCount = spawner.aliveCount
        return status
    }

    public func start(_ request: StartRequest) async throws(StartRefusal) {
        let current = published.withLock { $0 }
        let plan = try StartPlan.make(request, classes: classes, current: current)
        if current.state == .stopping {
            throw StartRefusal("The test is stopping: wait until it has stopped, then start a new one")
        }
        let newTest = !current.state.isActive
        let generation = gate.next()
        if newTest {
            stats.reset()
            events.publish(.statsReset)
        }
        update { status in
            status.targetUsers = plan.users
            status.spawnRate = request.spawnRate
            status.host = plan.host
            status.userClasses = plan.classNames
            if newTest { status.testIndex += 1 }
        }
        if newTest { events.publish(.testStarted(index: published.withLock { $0.testIndex })) }
        armTimer(request.runTime, newTest: newTest)
        setState(.spawning)
        logger.info(
            "Ramping to \(plan.users) users at a rate of \(PythonStyle.number(request.spawnRate)) per second")
        let ticket = await spawner.newTicket()
        await spawner.setHost(request.host)
        guard gate.isCurrent(generation) else { return }
        let spawner = self.spawner
        let target = plan.counts
        Task {
            if await spawner.spawn(target: target, rate: request.spawnRate, ticket: ticket) {
                await self.spawningFinished(generation: generation)
            }
        }
    }

    public func stop(reason: StopReason) async {
        let state = published.withLock { $0.state }
        switch state {
        case .ready, .stopped, .cleanup, .missing:
            return
        case .stopping:
            await withCheckedContinuation { stopWaiters.append($0) }
            return
        case .spawning, .running:
            break
        }
        logger.info(reason.logLine)
        _ = gate.next()
        runTimer?.cancel()
        runTimer = nil
        setState(.stopping)
        _ = await spawner.newTicket()
        await spawner.stopAll(timeout: stopTimeout)
        setState(.stopped)
        events.publish(.testStopped(reason))
        let waiters = stopWaiters
        stopWaiters = []
        for waiter in waiters { waiter.resume() }
    }

    public func userClassCounts() async -> [String: Int] {
        await spawner.countsByClass
    }

    public func reset() {
        logger.info("Resetting stats")
        stats.reset()
        events.publish(.statsReset)
    }

    // MARK: Internals

    private func spawningFinished(generation: Int) async {
        guard gate.isCurrent(generation), published.withLock({ $0.state }) == .spawning else { return }
        let counts = await spawner.countsByClass
        guard gate.isCurrent(generation) else { return }
        let parts = classes.map { "\"\($0.name)\": \(counts[$0.name] ?? 0)" }.joined(separator: ", ")
        let total = counts.values.reduce(0, +)
        logger.info("All users spawned: {\(parts)} (\(total) total users)")
        setState(.running)
        events.publish(.spawningComplete(users: total))
        if resetStatsWhenSpawned { reset() }
    }

    private func usersEnded() async {
        let status = published.withLock { $0 }
        guard status.state == .running, status.targetUsers > 0, spawner.aliveCount == 0 else { return }
        await stop(reason: .allUsersStopped)
    }

    private func armTimer(_ runTime: Duration?, newTest: Bool) {
        if runTime != nil || newTest {
            runTimer?.cancel()
            runTimer = nil
        }
        guard let runTime else { return }
        logger.info("Run time limit set to \(PythonStyle.number(runTime.seconds)) seconds")
        let test = published.withLock { $0.testIndex }
        runTimer = scheduler.schedule(after: runTime) { [weak self] in
            await self?.runTimeReached(test: test)
        }
    }

    /// The timer of test `test` ran out: an edit keeps the timer, a stop cancels it, and a timer that
    /// fired as its test stopped finds another test (or none) and does nothing.
    private func runTimeReached(test: Int) async {
        let status = published.withLock { $0 }
        guard status.testIndex == test, status.state.isActive else { return }
        await stop(reason: .runTime)
    }

    private func setState(_ state: RunState) {
        let changed = published.withLock { status -> Bool in
            guard status.state != state else { return false }
            status.state = state
            return true
        }
        if changed { events.publish(.state(state)) }
    }

    private func update(_ body: (inout RunStatus) -> Void) {
        published.withLock { body(&$0) }
    }
}
