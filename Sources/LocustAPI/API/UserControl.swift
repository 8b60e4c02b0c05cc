import Synchronization

/// The stop switch of one user and the wait it may be sleeping in.
///
/// The runner asks a user to stop; a user that is waiting wakes at once, a user that is running a task
/// stops after it. Waits are timers of the user's engine thread, not Swift tasks.
final class UserControl: Sendable {
    struct State {
        var stopping = false
        var killed = false
        var waiter: UnsafeContinuation<Void, Never>?
        var generation: UInt64 = 0
    }

    let state = Mutex<State>(State())
    /// `state.stopping`, readable without the lock: a user checks it after every task.
    private let stopping = Atomic<Bool>(false)

    var isStopping: Bool { stopping.load(ordering: .acquiring) }
    var isKilled: Bool { state.withLock { $0.killed } }

    /// Asks the user to stop; wakes it if it waits.
    func requestStop(kill: Bool) {
        let waiter = state.withLock { state -> UnsafeContinuation<Void, Never>? in
            state.stopping = true
            stopping.store(true, ordering: .releasing)
            if kill { state.killed = true }
            let waiter = state.waiter
            state.waiter = nil
            return waiter
        }
        waiter?.resume()
    }

    /// Sleeps `seconds` on `thread`'s timers; returns false when the user was asked to stop.
    // @inline(never): its own small frame, rather than room in the frame of every caller.
    @inline(never)
    func wait(seconds: Double, on thread: EngineThread) async -> Bool {
        if seconds <= 0 {
            await Task.yield()
            return !isStopping
        }
        let deadline = MonotonicClock.nanoseconds() &+ UInt64(seconds * 1_000_000_000)
        await withUnsafeContinuation { park($0, until: deadline, on: thread) }
        return !isStopping
    }

    /// Sleeps on `thread`'s timers until `deadline` (monotonic nanoseconds); returns false when asked to
    /// stop. A deadline already past only yields. (The open model's schedule: absolute, so no drift.)
    @inline(never)
    func wait(untilNanoseconds deadline: UInt64, on thread: EngineThread) async -> Bool {
        if deadline <= MonotonicClock.nanoseconds() {
            await Task.yield()
            return !isStopping
        }
        await withUnsafeContinuation { park($0, until: deadline, on: thread) }
        return !isStopping
    }

    /// Keeps `continuation` as the user's waiter and sets a timer for `deadline`, or resumes it at once
    /// when the user is already stopping.
    private func park(_ continuation: UnsafeContinuation<Void, Never>, until deadline: UInt64, on thread: EngineThread) {
        let generation = state.withLock { state -> UInt64? in
            if state.stopping { return nil }
            state.generation &+= 1
            state.waiter = continuation
            return state.generation
        }
        guard let generation else {
            continuation.resume()
            return
        }
        thread.schedule(deadline: deadline, control: self, generation: generation)
    }

    /// Called by the engine thread when a timer fires.
    func fire(generation: UInt64) {
        let waiter = state.withLock { state -> UnsafeContinuation<Void, Never>? in
            guard state.generation == generation, let waiter = state.waiter else { return nil }
            state.waiter = nil
            return waiter
        }
        waiter?.resume()
    }
}
