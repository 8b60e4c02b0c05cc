import Synchronization

/// The count of live users of a spawner, with waiters for "none left" and a handler called each time
/// the last one ends (a user's start and end touch it, never a request).
final class UserCounter: Sendable {
    private struct State {
        var count = 0
        var nextWaiter = 0
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
        /// Waiters whose time ran out before they were registered.
        var expired: Set<Int> = []
        var idleHandler: (@Sendable () -> Void)?
    }

    private let state = Mutex(State())

    /// Users running now.
    var count: Int { state.withLock { $0.count } }

    func increment() { state.withLock { $0.count += 1 } }

    func decrement() {
        let (waiters, handler) = state.withLock { state -> ([CheckedContinuation<Void, Never>], (@Sendable () -> Void)?) in
            state.count -= 1
            guard state.count == 0 else { return ([], nil) }
            defer { state.waiters = [:] }
            return (Array(state.waiters.values), state.idleHandler)
        }
        for waiter in waiters { waiter.resume() }
        handler?()
    }

    func setIdleHandler(_ handler: @escaping @Sendable () -> Void) {
        state.withLock { $0.idleHandler = handler }
    }

    /// Returns when no user runs, or after `limit`, whichever comes first.
    func waitForZero(within limit: Duration) async {
        let id = state.withLock { state -> Int? in
            guard state.count > 0 else { return nil }
            state.nextWaiter += 1
            return state.nextWaiter
        }
        guard let id else { return }
        let timeout = Task { [weak self] in
            try? await Task.sleep(for: limit)
            self?.resume(id)
        }
        await withCheckedContinuation { continuation in
            let resumeNow = state.withLock { state -> Bool in
                guard state.count > 0, state.expired.remove(id) == nil else { return true }
                state.waiters[id] = continuation
                return false
            }
            if resumeNow { continuation.resume() }
        }
        timeout.cancel()
    }

    private func resume(_ id: Int) {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if let waiter = state.waiters.removeValue(forKey: id) { return waiter }
            if state.count > 0 { state.expired.insert(id) }
            return nil
        }
        waiter?.resume()
    }
}
