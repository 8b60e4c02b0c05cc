import Synchronization

/// Events pushed by a socket's handler (on its I/O thread), awaited one at a time by a test, each
/// wait bounded by a timeout so that a missing event fails the test instead of hanging it.
final class ZMQEventQueue<Event: Sendable>: Sendable {
    private struct State {
        var buffer: [Event] = []
        var waiter: (id: UInt64, continuation: CheckedContinuation<Event?, Never>)?
        var expired: Set<UInt64> = []
        var nextID: UInt64 = 0
    }

    private let state = Mutex(State())

    /// The handler to give the socket.
    var handler: @Sendable (Event) -> Void { { [self] event in push(event) } }

    /// Appends `event`, or hands it to the waiting `next`.
    func push(_ event: Event) {
        let waiter = state.withLock { state -> CheckedContinuation<Event?, Never>? in
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter.continuation
            }
            state.buffer.append(event)
            return nil
        }
        waiter?.resume(returning: event)
    }

    /// The next event, or nil if none comes within `timeout`.
    func next(within timeout: Duration = .seconds(5)) async -> Event? {
        let id = state.withLock { state in
            state.nextID += 1
            return state.nextID
        }
        let timer = Task { [self] in
            guard (try? await Task.sleep(for: timeout)) != nil else { return }
            expire(id)
        }
        defer { timer.cancel() }
        return await withCheckedContinuation { (continuation: CheckedContinuation<Event?, Never>) in
            let ready = state.withLock { state -> Event?? in
                if !state.buffer.isEmpty { return .some(state.buffer.removeFirst()) }
                if state.expired.remove(id) != nil { return .some(nil) }
                state.waiter = (id, continuation)
                return .none
            }
            if case .some(let event) = ready { continuation.resume(returning: event) }
        }
    }

    /// The next event that satisfies `predicate` within `timeout`, skipping (and returning in
    /// `skipped`) the others; nil on timeout.
    func next(
        within timeout: Duration = .seconds(5), skipped: inout [Event], where predicate: (Event) -> Bool
    ) async -> Event? {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        while clock.now < deadline {
            guard let event = await next(within: deadline - clock.now) else { return nil }
            if predicate(event) { return event }
            skipped.append(event)
        }
        return nil
    }

    /// The next event that satisfies `predicate` within `timeout`, skipping the others.
    func next(within timeout: Duration = .seconds(5), where predicate: (Event) -> Bool) async -> Event? {
        var skipped: [Event] = []
        return await next(within: timeout, skipped: &skipped, where: predicate)
    }

    /// The events received so far and not yet taken.
    func drain() -> [Event] {
        state.withLock { state in
            defer { state.buffer = [] }
            return state.buffer
        }
    }

    private func expire(_ id: UInt64) {
        let waiter = state.withLock { state -> CheckedContinuation<Event?, Never>? in
            guard let waiter = state.waiter, waiter.id == id else {
                state.expired.insert(id)
                return nil
            }
            state.waiter = nil
            return waiter.continuation
        }
        waiter?.resume(returning: nil)
    }
}
