@_spi(Runner) import LocustAPI
import LocustStats
import Synchronization
@testable import LocustRunner

/// A spawner whose ramps end when the test says so.
final class FakeSpawner: UserSpawning {
    struct Spawn: Sendable {
        var target: [Int]
        var rate: Double
        var ticket: Int
    }

    private struct State {
        var alive = 0
        var ticket = 0
        var spawns: [Spawn] = []
        var pending: [CheckedContinuation<Bool, Never>] = []
        var spawnWaiters: [CheckedContinuation<Spawn, Never>] = []
        var stops: [Double] = []
        var hosts: [String?] = []
        var options: [ScenarioOptions] = []
        var idle: (@Sendable () -> Void)?
        var counts: [String: Int] = [:]
        var holding = false
        var held: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())
    let names: [String]

    init(names: [String]) { self.names = names }

    var aliveCount: Int { state.withLock { $0.alive } }
    var spawns: [Spawn] { state.withLock { $0.spawns } }
    var stops: [Double] { state.withLock { $0.stops } }
    var hosts: [String?] { state.withLock { $0.hosts } }

    func newTicket() async -> Int { state.withLock { $0.ticket += 1; return $0.ticket } }
    func setHost(_ host: String?) async { state.withLock { $0.hosts.append(host) } }
    func setScenarioOptions(_ options: ScenarioOptions) async { state.withLock { $0.options.append(options) } }
    var options: [ScenarioOptions] { state.withLock { $0.options } }

    func spawn(target: [Int], rate: Double, ticket: Int) async -> Bool {
        await withCheckedContinuation { continuation in
            let spawn = Spawn(target: target, rate: rate, ticket: ticket)
            let waiters = state.withLock { state -> [CheckedContinuation<Spawn, Never>] in
                state.spawns.append(spawn)
                state.pending.append(continuation)
                defer { state.spawnWaiters = [] }
                return state.spawnWaiters
            }
            for waiter in waiters { waiter.resume(returning: spawn) }
        }
    }

    /// Waits until `count` ramps were asked for in all.
    func waitForSpawns(_ count: Int) async {
        while state.withLock({ $0.spawns.count }) < count {
            _ = await withCheckedContinuation { continuation in
                let ready = state.withLock { state -> Spawn? in
                    if state.spawns.count >= count { return state.spawns.last }
                    state.spawnWaiters.append(continuation)
                    return nil
                }
                if let ready { continuation.resume(returning: ready) }
            }
        }
    }

    /// Ends the oldest ramp in progress: `reached` users running per class.
    func finishSpawn(reached: Bool = true) {
        let (continuation, spawn) = state.withLock { state -> (CheckedContinuation<Bool, Never>?, Spawn?) in
            guard !state.pending.isEmpty else { return (nil, nil) }
            let index = state.spawns.count - state.pending.count
            let spawn = state.spawns[index]
            if reached && spawn.ticket == state.ticket {
                state.alive = spawn.target.reduce(0, +)
                state.counts = Dictionary(uniqueKeysWithValues: zip(names, spawn.target))
            }
            return (state.pending.removeFirst(), spawn)
        }
        continuation?.resume(returning: reached && spawn.map { $0.ticket == state.withLock { $0.ticket } } == true)
    }

    /// Makes every stop wait for ``releaseStops()``.
    func holdStops() { state.withLock { $0.holding = true } }

    func releaseStops() {
        let held = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.holding = false
            defer { state.held = [] }
            return state.held
        }
        for continuation in held { continuation.resume() }
    }

    func stopAll(timeout: Double) async {
        await withCheckedContinuation { continuation in
            let wait = state.withLock { state -> Bool in
                if state.holding { state.held.append(continuation) }
                return state.holding
            }
            if !wait { continuation.resume() }
        }
        state.withLock { state in
            state.stops.append(timeout)
            state.alive = 0
            state.counts = [:]
        }
    }

    var countsByClass: [String: Int] { get async { state.withLock { $0.counts } } }

    func onAllUsersEnded(_ handler: @escaping @Sendable () -> Void) async { state.withLock { $0.idle = handler } }

    /// Every user ends by itself (StopUser).
    func endAllUsers() {
        let handler = state.withLock { state -> (@Sendable () -> Void)? in
            state.alive = 0
            return state.idle
        }
        handler?()
    }
}

/// Timers that fire when the test says so.
final class ManualScheduler: RunScheduler {
    final class Timer: ScheduledTimer {
        let delay: Duration
        let action: @Sendable () async -> Void
        let cancelled = Atomic(false)
        init(delay: Duration, action: @escaping @Sendable () async -> Void) {
            self.delay = delay
            self.action = action
        }
        func cancel() { cancelled.store(true, ordering: .relaxed) }
        var isCancelled: Bool { cancelled.load(ordering: .relaxed) }
    }

    private let timers = Mutex<[Timer]>([])
    private let waiters = Mutex<[(Int, CheckedContinuation<Void, Never>)]>([])

    func schedule(after delay: Duration, _ action: @escaping @Sendable () async -> Void) -> any ScheduledTimer {
        let timer = Timer(delay: delay, action: action)
        let count = timers.withLock { $0.append(timer); return $0.count }
        let ready = waiters.withLock { list -> [CheckedContinuation<Void, Never>] in
            let matched = list.filter { $0.0 <= count }.map(\.1)
            list.removeAll { $0.0 <= count }
            return matched
        }
        for waiter in ready { waiter.resume() }
        return timer
    }

    /// Returns once `count` timers were scheduled in all.
    func waitForTimers(_ count: Int) async {
        await withCheckedContinuation { continuation in
            let now = waiters.withLock { list -> Bool in
                if timers.withLock({ $0.count }) >= count { return true }
                list.append((count, continuation))
                return false
            }
            if now { continuation.resume() }
        }
    }

    var scheduled: [Timer] { timers.withLock { $0 } }
    var active: [Timer] { scheduled.filter { !$0.isCancelled } }

    /// Runs every timer not cancelled (as if its time had come), in order.
    func fireActive() async {
        for timer in active { await timer.action() }
    }

    /// Runs a timer even if cancelled: a timer that fired just as it was cancelled.
    func fireAnyway(_ timer: Timer) async { await timer.action() }
}

/// Collects a controller's events and waits for one.
final class EventLog: Sendable {
    private final class Box: Sendable {
        struct State {
            var events: [ControllerEvent] = []
            var waiters: [(ControllerEvent, CheckedContinuation<Void, Never>)] = []
        }
        let state = Mutex(State())

        func append(_ event: ControllerEvent) {
            let ready = state.withLock { state -> [CheckedContinuation<Void, Never>] in
                state.events.append(event)
                let matched = state.waiters.filter { $0.0 == event }.map(\.1)
                state.waiters.removeAll { $0.0 == event }
                return matched
            }
            for waiter in ready { waiter.resume() }
        }
    }

    private let box = Box()
    private let task: Task<Void, Never>

    init(_ broadcaster: EventBroadcaster) {
        let stream = broadcaster.subscribe()
        let box = self.box
        task = Task {
            for await event in stream { box.append(event) }
        }
    }

    deinit { task.cancel() }

    var all: [ControllerEvent] { box.state.withLock { $0.events } }

    /// Returns once `event` has been published (at once if it already was).
    func wait(for event: ControllerEvent) async {
        await withCheckedContinuation { continuation in
            let seen = box.state.withLock { state -> Bool in
                if state.events.contains(event) { return true }
                state.waiters.append((event, continuation))
                return false
            }
            if seen { continuation.resume() }
        }
    }
}

func quietLogger() -> RunLogger {
    // Safe: no log file, so the initializer cannot fail.
    (try? RunLogger(level: .critical, logfile: nil))!
}
