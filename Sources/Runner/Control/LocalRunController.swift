import Foundation
@_spi(Runner) import LocustAPI
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
        /// Locust's `fixed_count`: an exact number of users (0: by weight).
        public var fixedCount: Int

        /// Creates a class description.
        public init(name: String, weight: Int, host: String?, fixedCount: Int = 0) {
            self.name = name
            self.weight = weight
            self.host = host
            self.fixedCount = fixedCount
        }
    }

    public nonisolated let stats: RequestStats
    public nonisolated var events: EventBroadcaster { published.events }
    public nonisolated var isDistributed: Bool { false }

    private let classes: [ClassInfo]
    private let spawner: any UserSpawning
    private let scheduler: any RunScheduler
    private let logger: RunLogger
    private var hooks: TestHookRunner
    /// The scenario's own options, their values from the command line, and the current test's.
    private var testOptions = TestOptions()
    private let stopTimeout: Double
    private let resetStatsWhenSpawned: Bool
    private var gate = StartGate()
    private var runTimer = TestTimer()
    /// The current (or last) test is an open-model one: it cannot be edited.
    private var openModelTest = false
    private var stopWaiters: [CheckedContinuation<Void, Never>] = []
    private nonisolated let published: PublishedStatus

    /// Creates a controller over `spawner`, whose classes are `classes` in the same order.
    public init(
        classes: [ClassInfo], spawner: any UserSpawning, stats: RequestStats, host: String?, stopTimeout: Double,
        resetStatsWhenSpawned: Bool, scheduler: any RunScheduler = TaskScheduler(), logger: RunLogger
    ) {
        self.hooks = .none(stats: stats, logger: logger)
        self.classes = classes
        self.spawner = spawner
        self.stats = stats
        self.scheduler = scheduler
        self.logger = logger
        self.stopTimeout = stopTimeout
        self.resetStatsWhenSpawned = resetStatsWhenSpawned
        published = PublishedStatus(host: host, classNames: classes.map(\.name), events: EventBroadcaster())
    }

    /// Starts watching the spawner for users that all end by themselves; call once before the first start.
    public func attach() async {
        await spawner.onAllUsersEnded { [weak self] in
            guard let self else { return }
            Task { await self.usersEnded() }
        }
    }

    /// The plugin's own options and the values the command line gave them (a form may change them).
    func useScenarioOptions(_ specs: [ScenarioOption], values: [String: String]) {
        testOptions = TestOptions(specs: specs, values: values)
    }

    /// Runs `hooks` once per test from now on (the plugin's test_start and test_stop).
    func useHooks(_ hooks: TestHookRunner) {
        self.hooks = hooks
    }

    public nonisolated func status() -> RunStatus {
        var status = published.current
        status.userCount = spawner.aliveCount
        return status
    }

    public func start(_ request: StartRequest) async throws(StartRefusal) {
        let current = published.current
        let plan = try StartPlan.make(request, classes: classes, current: current)
        if current.state == .stopping {
            throw StartRefusal("The test is stopping: wait until it has stopped, then start a new one")
        }
        let newTest = !current.state.isActive
        if !newTest && (request.arrival != nil || openModelTest) {
            throw StartRefusal("An open-model test (arrival rate) cannot be edited: stop it, then start a new one")
        }
        if newTest { openModelTest = request.arrival != nil }
        let options = newTest ? try testOptions.begin(request) : testOptions.current
        let generation = gate.next()
        let test = published.begin(plan, rate: request.spawnRate, newTest: newTest, stats: stats)
        if newTest { stats.enableOpenModel(request.arrival != nil) }
        published.setState(.spawning)
        if newTest { await spawner.setScenarioOptions(options) }
        // test_start before the first user; a stop meanwhile wins (the gate moved on).
        if newTest, let failure = await hooks.testStart(host: plan.host, options: options) {
            if gate.isCurrent(generation) { await stop(reason: .hookFailed(failure)) }
            return
        }
        guard gate.isCurrent(generation) else { return }
        runTimer.arm(request.runTime, newTest: newTest, test: test, scheduler: scheduler, logger: logger) { [weak self] test in
            await self?.runTimeReached(test: test)
        }
        if let arrival = request.arrival {
            await startArrivals(arrival, plan: plan, host: request.host, generation: generation)
            return
        }
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
        let state = published.current.state
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
        runTimer.cancel()
        published.setState(.stopping)
        _ = await spawner.newTicket()
        await spawner.stopAll(timeout: stopTimeout)
        _ = await hooks.testStop(host: published.current.host, options: testOptions.current)
        published.setState(.stopped)
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

    /// Starts an open-model test: running at once (no ramp of users), stopped when its schedule ends.
    private func startArrivals(_ arrival: ArrivalPlan, plan: StartPlan, host: String?, generation: Int) async {
        logger.info("Open model: \(arrival.summary)")
        let ticket = await spawner.newTicket()
        await spawner.setHost(host)
        guard gate.isCurrent(generation) else { return }
        published.setState(.running)
        events.publish(.spawningComplete(users: 0))
        let spawner = self.spawner
        let weights = plan.weights
        Task {
            if await spawner.runArrivals(arrival, weights: weights, ticket: ticket) {
                await self.arrivalsEnded(generation: generation)
            }
        }
    }

    /// The open model's schedule ended (`--arrival-stages`): the test stops.
    private func arrivalsEnded(generation: Int) async {
        guard gate.isCurrent(generation), published.current.state.isActive else { return }
        await stop(reason: .arrivalsEnded)
    }

    private func spawningFinished(generation: Int) async {
        guard gate.isCurrent(generation), published.current.state == .spawning else { return }
        let counts = await spawner.countsByClass
        guard gate.isCurrent(generation) else { return }
        let parts = classes.map { "\"\($0.name)\": \(counts[$0.name] ?? 0)" }.joined(separator: ", ")
        let total = counts.values.reduce(0, +)
        logger.info("All users spawned: {\(parts)} (\(total) total users)")
        published.setState(.running)
        events.publish(.spawningComplete(users: total))
        if resetStatsWhenSpawned { reset() }
    }

    private func usersEnded() async {
        let status = published.current
        guard status.state == .running, status.targetUsers > 0, spawner.aliveCount == 0 else { return }
        await stop(reason: .allUsersStopped)
    }

    /// The timer of test `test` ran out: an edit keeps the timer, a stop cancels it, and a timer that
    /// fired as its test stopped finds another test (or none) and does nothing.
    private func runTimeReached(test: Int) async {
        guard published.isRunning(test: test) else { return }
        await stop(reason: .runTime)
    }
}
