import Foundation
@_spi(Runner) import LocustAPI
import Synchronization

/// Starts and stops the simulated users of this process.
///
/// It moves the number of users of each class toward a target at a given rate (users per second,
/// scheduled against the start time so that a long hatch does not drift), and stops them gracefully.
/// The local runner drives it from the command line; a slave will drive it from its master's orders.
public actor UserSpawner: UserSpawning {
    struct RunningUser {
        let context: UserContext
        let task: Task<Void, Never>
    }

    /// The classes this spawner can run, in plugin order.
    let classes: [UserClass]
    private var host: String?
    /// Hosts a Locust master's web UI gave classes (`update_user_class`), by class name.
    private var classHosts: [String: String] = [:]
    private let engine: HTTPEngine
    private let recorder: any RequestRecorder
    private let logger: RunLogger
    private let httpOverride: HTTPOptionsOverride
    /// `--equal-weights` (a master's, from its order, or this process's own).
    private var equalTaskWeights: Bool
    private var warnedAboutPorts = false
    private var running: [[RunningUser]]
    /// The classes as `-T`/`-E` leave them (nil: no task left, not spawned), in `classes`' order.
    private var runnable: [UserClass?]
    private var tagFilter = TagFilter()
    private var scenarioOptions = ScenarioOptions(values: [:])
    private var nextUserID = 0
    private var generation = 0
    private let alive = UserCounter()
    /// The open model's instances (made and not stopped), counted as this process's users.
    private let openUsers = UserCounter()
    /// The open-model test running, if any.
    private var openRunner: OpenModelRunner?

    /// Creates a spawner for `classes`; `host` (`--host`) wins over each class's own, and so does
    /// `httpOverride` (`--insecure`, `--http1`) over each class's `httpOptions`.
    init(
        classes: [UserClass], host: String?, engine: HTTPEngine, recorder: any RequestRecorder, logger: RunLogger,
        httpOverride: HTTPOptionsOverride = HTTPOptionsOverride(), equalTaskWeights: Bool = false
    ) {
        self.classes = classes
        self.host = host
        self.engine = engine
        self.recorder = recorder
        self.logger = logger
        self.httpOverride = httpOverride
        self.equalTaskWeights = equalTaskWeights
        self.running = classes.map { _ in [] }
        self.runnable = classes
    }

    /// Runs the users started from now on with only the tasks `filter` leaves (a master's `-T`/`-E`);
    /// returns the names of the classes it leaves with no task, which are then not spawned.
    @discardableResult
    func setTagFilter(_ filter: TagFilter) -> [String] {
        if filter != tagFilter {
            tagFilter = filter
            runnable = classes.map { $0.filtered(by: filter) }
        }
        return classes.indices.filter { runnable[$0] == nil }.map { classes[$0].name }
    }

    /// Users currently running (started and not yet finished).
    public nonisolated var aliveCount: Int { alive.count + openUsers.count }

    /// Calls `handler` each time the last running user ends.
    public func onAllUsersEnded(_ handler: @escaping @Sendable () -> Void) {
        alive.setIdleHandler(handler)
    }

    /// The number of users started and not stopped, per class name.
    public var countsByClass: [String: Int] {
        var counts: [String: Int] = [:]
        for (index, users) in running.enumerated() { counts[classes[index].name] = users.count }
        return counts
    }

    /// The total number of users started and not asked to stop.
    public var userCount: Int { running.reduce(0) { $0 + $1.count } }

    /// Moves toward `target` users per class at `rate` users per second. Returns true when the target
    /// was reached, false when a newer call or a stop superseded this one.
    @discardableResult
    public func spawn(target: [Int], rate: Double) async -> Bool {
        await spawn(target: target, rate: rate, ticket: newTicket())
    }

    /// Supersedes any ramp in progress and returns the ticket of the next one; take it in order with
    /// stops, then pass it to ``spawn(target:rate:ticket:)``, which gives up if a later ticket exists.
    public func newTicket() -> Int {
        generation += 1
        return generation
    }

    /// Gives the users started from now on equal task weights (a master's `--equal-weights`).
    public func setEqualTaskWeights(_ equal: Bool) {
        equalTaskWeights = equal
    }

    /// Uses `host` for the users of class `name` started from now on, unless a host for every class is
    /// set (`--host`, a master's); `nil` goes back to the class's own.
    public func setClassHost(_ host: String?, for name: String) {
        classHosts[name] = host
    }

    /// Gives the users started from now on these option values (the test's, or a master's).
    public func setScenarioOptions(_ options: ScenarioOptions) {
        scenarioOptions = options
    }

    /// Uses `host` for the users started from now on (a master's `--host`).
    public func setHost(_ host: String?) {
        if let host { self.host = host }
    }

    /// ``spawn(target:rate:)`` for a ticket taken earlier with ``newTicket()``.
    @discardableResult
    public func spawn(target: [Int], rate: Double, ticket: Int) async -> Bool {
        let myGeneration = ticket
        guard generation == myGeneration else { return false }
        // Stopping is immediate, as in Locust; only starting is paced. Additions are interleaved so that
        // the classes start in proportion.
        var additionCounts: [Int] = []
        for index in classes.indices {
            let have = running[index].count
            let want = index < target.count && runnable[index] != nil ? max(0, target[index]) : 0
            for _ in 0..<max(0, have - want) { stopOne(classIndex: index) }
            additionCounts.append(max(0, want - have))
        }
        let steps = UserDistribution.spawnOrder(counts: additionCounts)
        let total = target.reduce(0) { $0 + max(0, $1) }
        if !warnedAboutPorts, let range = EphemeralPortCheck.portRange(),
            let warning = EphemeralPortCheck.warning(users: total, range: range, sourceAddresses: HTTPEngine.sourceAddressCount)
        {
            warnedAboutPorts = true
            logger.warning(warning)
        }
        let start = ContinuousClock.now
        let interval = rate > 0 ? 1.0 / rate : 0
        var done = 0
        while done < steps.count {
            guard generation == myGeneration else { return false }
            let dueNow: Int
            if interval == 0 {
                dueNow = steps.count
            } else {
                let elapsed = ContinuousClock.now - start
                let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
                dueNow = min(steps.count, Int(seconds / interval) + 1)
            }
            while done < dueNow {
                startOne(classIndex: steps[done])
                done += 1
            }
            if done < steps.count {
                let nextAt = start + .nanoseconds(Int64(Double(done) * interval * 1e9))
                try? await Task.sleep(until: nextAt, clock: .continuous)
            }
        }
        return true
    }

    /// Runs an open-model test (``OpenModelRunner``): iterations of the classes with a weight above 0 in
    /// `weights` (in `classes`' order) on `plan`'s schedule. Returns true when the schedule ended, false
    /// when a stop or a newer ticket came first.
    public func runArrivals(_ plan: ArrivalPlan, weights: [Int], ticket: Int) async -> Bool {
        await runArrivals(plan, weights: weights, ticket: ticket, elapsed: 0)
    }

    /// ``runArrivals(_:weights:ticket:)`` `elapsed` seconds into the schedule (a slave's share of a
    /// running test). While an open-model test runs, a new call replaces its schedule and bound and keeps
    /// its instances (a slave's share changed).
    public func runArrivals(_ plan: ArrivalPlan, weights: [Int], ticket: Int, elapsed: Double) async -> Bool {
        guard generation == ticket, let recorder = recorder as? StatsRecorder else { return false }
        if let running = openRunner {
            let ended = await running.run(plan.schedule, elapsed: elapsed, maxConcurrency: plan.maxConcurrency)
            return ended && generation == ticket
        }
        let picked = classes.indices.compactMap { index -> OpenModelRunner.WeightedClass? in
            guard let userClass = runnable[index], index < weights.count, weights[index] > 0 else { return nil }
            // A class without a task of weight above 0 has no iteration to run (in the closed model it idles).
            guard userClass.tasks.contains(where: { $0.weight > 0 }) else {
                logger.warning("\(userClass.name) has no task to run: the open model does not pick it")
                return nil
            }
            return OpenModelRunner.WeightedClass(userClass: userClass, weight: weights[index])
        }
        if picked.isEmpty && openRunner == nil {
            logger.warning("None of the test's classes has a task to run: the open model has nothing to start")
        }
        let runner = OpenModelRunner(
            classes: picked, maxConcurrency: plan.maxConcurrency, host: host, engine: engine, stats: recorder.stats,
            exceptions: recorder, httpOverride: httpOverride, equalTaskWeights: equalTaskWeights, firstUserID: nextUserID,
            instances: openUsers)
        // Ids above every closed-model user's for the rest of the process.
        nextUserID += 1 << 32
        openRunner = runner
        let ended = await runner.run(plan.schedule, elapsed: elapsed)
        return ended && generation == ticket
    }

    private func startOne(classIndex: Int) {
        guard let userClass = runnable[classIndex] else { return }
        let id = nextUserID
        nextUserID += 1
        let base = host ?? classHosts[userClass.name] ?? userClass.host ?? ""
        let thread = engine.thread(for: id)
        let client = HTTPClient(baseURL: base, options: httpOverride.applied(to: userClass.httpOptions), thread: thread, recorder: recorder)
        let context = UserContext(
            userID: id, userClassName: userClass.name, host: base, client: client, recorder: recorder,
            equalTaskWeights: equalTaskWeights, options: scenarioOptions)
        alive.increment()
        let alive = self.alive
        let task = Task(executorPreference: thread) {
            await userClass.run(context)
            alive.decrement()
        }
        running[classIndex].append(RunningUser(context: context, task: task))
    }

    private func stopOne(classIndex: Int) {
        guard let user = running[classIndex].popLast() else { return }
        // Ramp-down stops users at once, as Locust does.
        user.context.kill()
    }

    /// Stops every user: each finishes its current task within `timeout` seconds (0: at once), then
    /// the rest are killed (their requests in flight are aborted and not recorded). Waits for their
    /// `onStop` for at most `grace` seconds more.
    public func stopAll(timeout: Double) async {
        await stopAll(timeout: timeout, grace: 10)
    }

    /// ``stopAll(timeout:)`` with `grace` seconds for the users' `onStop`.
    public func stopAll(timeout: Double, grace: Double) async {
        generation += 1
        if let runner = openRunner {
            openRunner = nil
            await runner.stop(timeout: timeout, grace: grace)
        }
        let users = running.flatMap { $0 }
        running = classes.map { _ in [] }
        if timeout > 0 {
            for user in users { user.context.requestStop() }
            await alive.waitForZero(within: .milliseconds(Int64(timeout * 1000)))
        }
        for user in users { user.context.kill() }
        await alive.waitForZero(within: .milliseconds(Int64(grace * 1000)))
        if aliveCount > 0 {
            logger.warning("\(aliveCount) users did not finish their on_stop within \(Int(grace)) s; going on without them")
        }
    }
}

