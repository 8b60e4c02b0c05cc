import Foundation
@_spi(Runner) import LocustAPI
import LocustStats
import Synchronization

/// The master's controller (Locust's `MasterRunner`): no users of its own; orders go to the slaves
/// through the ``MasterCoordinator``, whose merged statistics it shows.
public actor MasterRunController: RunController {
    public nonisolated let stats: RequestStats
    public nonisolated var events: EventBroadcaster { published.events }
    public nonisolated var isDistributed: Bool { true }

    private let classes: [LocalRunController.ClassInfo]
    private let coordinator: any ClusterCoordinating
    private let scheduler: any RunScheduler
    private let logger: RunLogger
    private var hooks: TestHookRunner
    /// The scenario's own options, their values from the command line, and the current test's.
    private var testOptions = TestOptions()
    private let stopTimeout: Double
    private let resetStatsWhenSpawned: Bool
    private var runTimer = TestTimer()
    /// The current (or last) test is an open-model one: it cannot be edited.
    private var openModelTest = false
    private var stopping: Task<Void, Never>?
    private var slaveWaiters: [(count: Int, continuation: CheckedContinuation<Bool, Never>)] = []
    private nonisolated let published: PublishedStatus

    /// Creates a controller over `coordinator`, which runs `classes`.
    public init(
        classes: [LocalRunController.ClassInfo], coordinator: any ClusterCoordinating, stats: RequestStats,
        host: String?, stopTimeout: Double, resetStatsWhenSpawned: Bool, scheduler: any RunScheduler = TaskScheduler(),
        logger: RunLogger
    ) {
        self.hooks = .none(stats: stats, logger: logger)
        self.classes = classes
        self.coordinator = coordinator
        self.stats = stats
        self.scheduler = scheduler
        self.logger = logger
        self.stopTimeout = stopTimeout
        self.resetStatsWhenSpawned = resetStatsWhenSpawned
        published = PublishedStatus(host: host, classNames: classes.map(\.name), events: EventBroadcaster())
    }

    /// Subscribes to the coordinator's events; call once before the first start.
    public func attach() {
        coordinator.onEvent { [weak self] event in
            guard let self else { return }
            Task { await self.handle(event) }
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
        status.workers = coordinator.workers
        status.userCount = coordinator.userCount
        return status
    }

    /// Waits until `count` slaves are connected; false after `limit` without them.
    public func waitForSlaves(_ count: Int, within limit: Duration) async -> Bool {
        if coordinator.activeSlaveCount >= count { return true }
        let timer = scheduler.schedule(after: limit) { [weak self] in await self?.cancelSlaveWaits() }
        defer { timer.cancel() }
        return await withCheckedContinuation { continuation in
            if coordinator.activeSlaveCount >= count {
                continuation.resume(returning: true)
            } else {
                slaveWaiters.append((count, continuation))
            }
        }
    }

    public func start(_ request: StartRequest) async throws(StartRefusal) {
        let current = published.current
        let plan = try StartPlan.make(request, classes: classes, current: current)
        if current.state == .stopping {
            throw StartRefusal("The test is stopping: wait until it has stopped, then start a new one")
        }
        let slaves = coordinator.activeSlaveCount
        guard slaves > 0 else {
            throw StartRefusal("You can't start a distributed test before at least one slave has connected")
        }
        let newTest = !current.state.isActive
        if !newTest && (request.arrival != nil || openModelTest) {
            throw StartRefusal("An open-model test (arrival rate) cannot be edited: stop it, then start a new one")
        }
        if request.arrival != nil {
            let python = coordinator.workers.filter(\.isLocustWorker).map(\.id)
            guard python.isEmpty else {
                throw StartRefusal(
                    "The open model (--arrival-rate) needs SwiftLocust slaves: Python Locust workers cannot run it (\(python.joined(separator: ", ")))")
            }
        }
        if newTest { openModelTest = request.arrival != nil }
        let options = newTest ? try testOptions.begin(request) : testOptions.current
        let test = published.begin(plan, rate: request.spawnRate, newTest: newTest, stats: stats)
        if newTest { stats.enableOpenModel(request.arrival != nil) }
        published.setState(.spawning)
        if newTest { coordinator.setScenarioOptions(ScenarioOptionWire.encode(options.values, options: testOptions.options)) }
        // test_start on the master before any order; a stop meanwhile wins.
        if newTest, let failure = await hooks.testStart(host: plan.host, options: options) {
            if published.isRunning(test: test), published.current.state == .spawning { await stop(reason: .hookFailed(failure)) }
            return
        }
        guard published.isRunning(test: test), published.current.state == .spawning else { return }
        if let arrival = request.arrival {
            // --arrival-stages end the test on the master's clock; each slave ends its share on its own.
            let stagesEnd = arrival.schedule.totalSeconds.map { Duration.seconds(saturating: $0) }
            runTimer.arm(stagesEnd ?? request.runTime, newTest: true, test: test, scheduler: scheduler, logger: logger) { [weak self] test in
                await self?.runTimeReached(test: test, reason: stagesEnd == nil ? .runTime : .arrivalsEnded)
            }
            logger.info("Sending the open model (\(arrival.summary)) to \(slaves) ready slaves, an equal share each")
            coordinator.startArrivals(arrival, host: request.host, classNames: plan.classNames)
            return
        }
        runTimer.arm(request.runTime, newTest: newTest, test: test, scheduler: scheduler, logger: logger) { [weak self] test in
            await self?.runTimeReached(test: test)
        }
        logger.info(
            "Sending spawn jobs of \(plan.users) users at \(String(format: "%.2f", request.spawnRate)) spawn rate to \(slaves) ready slaves")
        coordinator.start(users: plan.users, rate: request.spawnRate, host: request.host, classNames: plan.classNames)
    }

    public func stop(reason: StopReason) async {
        let state = published.current.state
        if let stopping {
            await stopping.value
            return
        }
        guard state.isActive else { return }
        logger.info(reason.logLine)
        runTimer.cancel()
        published.setState(.stopping)
        let coordinator = self.coordinator
        let stopTimeout = self.stopTimeout
        let task = Task { await coordinator.stop(stopTimeout: stopTimeout) }
        stopping = task
        await task.value
        _ = await hooks.testStop(host: published.current.host, options: testOptions.current)
        stopping = nil
        published.setState(.stopped)
        events.publish(.testStopped(reason))
    }

    public func userClassCounts() async -> [String: Int] {
        coordinator.assignedCounts
    }

    public func reset() {
        logger.info("Resetting stats")
        stats.reset()
        events.publish(.statsReset)
    }

    // MARK: Internals

    private func handle(_ event: MasterCoordinator.Event) async {
        switch event {
        case .slavesChanged(let active, let missing):
            let ready = slaveWaiters.filter { $0.count <= active }
            slaveWaiters.removeAll { $0.count <= active }
            for waiter in ready { waiter.continuation.resume(returning: true) }
            if active == 0, published.current.state.isActive {
                await stop(reason: missing > 0 ? .lastSlaveMissing : .noSlavesLeft)
            }
        case .spawningComplete(let users):
            guard published.current.state == .spawning else { return }
            published.setState(.running)
            events.publish(.spawningComplete(users: users))
            if resetStatsWhenSpawned { reset() }
        case .hookFailed(let message):
            guard published.current.state.isActive else { return }
            await stop(reason: .hookFailed(message))
        }
    }

    /// Ends every ``waitForSlaves(_:within:)`` with false (its time ran out, or the process stops).
    public func cancelSlaveWaits() {
        let waiters = slaveWaiters
        slaveWaiters = []
        for waiter in waiters { waiter.continuation.resume(returning: false) }
    }

    private func runTimeReached(test: Int, reason: StopReason = .runTime) async {
        guard published.isRunning(test: test) else { return }
        await stop(reason: reason)
    }
}
