@_spi(Runner) import LocustAPI
import LocustStats
import Synchronization

/// Runs one open-model test on this process's engine threads (k6's arrival-rate executors, Gatling's
/// open injection): iterations start on the schedule whatever the server's latency, each on an instance
/// taken from a pool, at most `maxConcurrency` in flight across classes; an iteration due when that
/// many are in flight is dropped and counted (``RequestStats/recordIterationDropped()``).
///
/// One dispatcher, a task on the first engine thread, sleeps on that thread's timers until each
/// iteration's intended start (``ArrivalScheduler``: absolute deadlines, no drift); each iteration is a
/// task on its instance's thread. An instance is made (its `onStart` run) the first time an iteration
/// finds none idle for its class, and stopped (`onStop`) at the end of the test or when a task throws
/// `StopUser`.
final class OpenModelRunner: Sendable {
    /// A class the runner picks by weight.
    struct WeightedClass: Sendable {
        let userClass: UserClass
        let weight: Int
    }

    private struct State: Sendable {
        var pool: IterationPool<OpenModelInstance>
        /// Instances lent to an iteration now, by identity (a stop kills them).
        var lent: [ObjectIdentifier: OpenModelInstance] = [:]
        var stopping = false
        var nextUserID: Int
        /// The current dispatcher's timer; a new schedule (a slave's new share) cancels it.
        var timer: EngineTimer
    }

    private let classes: [WeightedClass]
    private let cumulative: [Int]
    private let host: String?
    private let engine: HTTPEngine
    private let stats: RequestStats
    private let exceptions: StatsRecorder
    private let httpOverride: HTTPOptionsOverride
    private let equalTaskWeights: Bool
    private let thread: EngineThread
    private let state: Mutex<State>
    /// Iterations in flight (a stop waits for them).
    private let inFlight = UserCounter()
    /// Instances made and not yet stopped (the process's user count; a stop waits for their `onStop`).
    let instances: UserCounter

    /// Creates a runner for `classes` (those of weight 0 are never picked).
    init(
        classes: [WeightedClass], maxConcurrency: Int, host: String?, engine: HTTPEngine, stats: RequestStats,
        exceptions: StatsRecorder, httpOverride: HTTPOptionsOverride, equalTaskWeights: Bool, firstUserID: Int,
        instances: UserCounter
    ) {
        let picked = classes.filter { $0.weight > 0 }
        self.classes = picked
        var total = 0
        cumulative = picked.map { total += $0.weight; return total }
        self.host = host
        self.engine = engine
        self.stats = stats
        self.exceptions = exceptions
        self.httpOverride = httpOverride
        self.equalTaskWeights = equalTaskWeights
        self.instances = instances
        thread = engine.threads[0]
        state = Mutex(State(
            pool: IterationPool(classCount: picked.count, maxConcurrency: maxConcurrency), nextUserID: firstUserID,
            timer: EngineTimer(thread: engine.threads[0])))
    }

    /// Runs `schedule` from now, `elapsed` seconds into it; returns true when it ended, false when
    /// ``stop(timeout:grace:)`` or a newer ``run(_:elapsed:maxConcurrency:)`` came first. A new run
    /// replaces the schedule (and the bound) and keeps the instances and the iterations in flight.
    func run(_ schedule: ArrivalSchedule, elapsed: Double = 0, maxConcurrency: Int? = nil) async -> Bool {
        guard !classes.isEmpty else { return true }
        let timer = EngineTimer(thread: thread)
        let replaced = state.withLock { state -> EngineTimer? in
            guard !state.stopping else { return nil }
            if let maxConcurrency { state.pool.maxConcurrency = max(1, maxConcurrency) }
            let old = state.timer
            state.timer = timer
            return old
        }
        guard let replaced else { return false }
        replaced.cancel()
        let dispatcher = Task(executorPreference: thread) { [self] in
            var scheduler = ArrivalScheduler(schedule: schedule, start: EngineTimer.now(), elapsed: elapsed)
            var random = FastRandom(seed: EngineTimer.now() &* 0x9E37_79B9_7F4A_7C15)
            while let deadline = scheduler.nextDeadline() {
                guard await timer.wait(untilNanoseconds: deadline) else { return false }
                for intended in scheduler.takeDue(now: EngineTimer.now()) {
                    launch(intended: intended, pick: random.nextUnit(), task: random.nextUnit())
                }
            }
            return !timer.isCancelled
        }
        return await dispatcher.value
    }

    /// Starts (or drops) the iteration due at `intended`: its class at `pick`, its task at `task` (0..<1).
    private func launch(intended: UInt64, pick: Double, task: Double) {
        let total = cumulative.last ?? 0
        let target = Int(pick * Double(total))
        let classIndex = cumulative.firstIndex { $0 > target } ?? (classes.count - 1)
        let (grant, userID) = state.withLock { state -> (IterationPool<OpenModelInstance>.Grant?, Int) in
            guard !state.stopping else { return (nil, 0) }
            let grant = state.pool.acquire(classIndex: classIndex)
            guard case .create = grant else { return (grant, 0) }
            state.nextUserID += 1
            return (grant, state.nextUserID - 1)
        }
        guard let grant else { return }
        switch grant {
        case .drop:
            stats.recordIterationDropped()
            return
        case .reuse(let instance):
            stats.recordIterationStarted()
            inFlight.increment()
            state.withLock { $0.lent[ObjectIdentifier(instance)] = instance }
            Task(executorPreference: instance.thread) { [self] in
                await iterate(on: instance, classIndex: classIndex, intended: intended, task: task)
            }
        case .create:
            stats.recordIterationStarted()
            inFlight.increment()
            instances.increment()
            let thread = engine.thread(for: userID)
            Task(executorPreference: thread) { [self] in
                guard let instance = await makeInstance(classIndex: classIndex, userID: userID, thread: thread) else {
                    state.withLock { $0.pool.release(nil, classIndex: classIndex, retire: true) }
                    instances.decrement()
                    inFlight.decrement()
                    return
                }
                state.withLock { $0.lent[ObjectIdentifier(instance)] = instance }
                await iterate(on: instance, classIndex: classIndex, intended: intended, task: task)
            }
        }
    }

    private func makeInstance(classIndex: Int, userID: Int, thread: EngineThread) async -> OpenModelInstance? {
        let userClass = classes[classIndex].userClass
        let base = host ?? userClass.host ?? ""
        let recorder = IterationRecorder(stats: stats, exceptions: exceptions)
        let client = HTTPClient(baseURL: base, options: httpOverride.applied(to: userClass.httpOptions), thread: thread, recorder: recorder)
        let context = UserContext(
            userID: userID, userClassName: userClass.name, host: base, client: client, recorder: recorder,
            equalTaskWeights: equalTaskWeights)
        guard let user = await userClass.makeIterationUser(context) else { return nil }
        return OpenModelInstance(user: user, recorder: recorder, thread: thread)
    }

    /// Runs one iteration on `instance`, then gives it back (or stops it: `StopUser`, or the test stopping).
    private func iterate(on instance: OpenModelInstance, classIndex: Int, intended: UInt64, task: Double) async {
        // An instance whose onStart ended after the stop began runs no iteration (the stop's kill missed it).
        let outcome: IterationUser.Outcome
        if state.withLock({ $0.stopping }) {
            outcome = .done
        } else {
            let now = EngineTimer.now()
            instance.recorder.setLateness(nanoseconds: now > intended ? now - intended : 0)
            outcome = await instance.user.runIteration(pick: task)
            instance.recorder.setLateness(nanoseconds: 0)
        }
        let retire = state.withLock { state -> Bool in
            state.lent[ObjectIdentifier(instance)] = nil
            let retire = outcome == .stopUser || state.stopping
            state.pool.release(instance, classIndex: classIndex, retire: retire)
            return retire
        }
        if retire {
            await instance.user.stop()
            instances.decrement()
        }
        inFlight.decrement()
    }

    /// Stops the test: no iteration starts any more; those in flight get `timeout` seconds to finish,
    /// then are killed (their requests cut off, counted as interrupted); every instance's `onStop` runs,
    /// waited for at most `grace` seconds.
    func stop(timeout: Double, grace: Double) async {
        let timer = state.withLock { state -> EngineTimer in
            state.stopping = true
            return state.timer
        }
        timer.cancel()
        if timeout > 0 { await inFlight.waitForZero(within: .milliseconds(Int64(timeout * 1000))) }
        let lent = state.withLock { Array($0.lent.values) }
        for instance in lent { instance.user.context.kill() }
        await inFlight.waitForZero(within: .milliseconds(Int64(grace * 1000)))
        let idle = state.withLock { $0.pool.takeIdle() }
        for instance in idle {
            Task(executorPreference: instance.thread) { [instances] in
                await instance.user.stop()
                instances.decrement()
            }
        }
        await instances.waitForZero(within: .milliseconds(Int64(grace * 1000)))
    }
}
