import Synchronization

/// A one-shot trigger that ends a test: the first reason given wins (time limit, Ctrl-C, all users
/// stopped); waiting on it returns that reason.
public final class StopSignal: Sendable {
    private struct State {
        var reason: String?
        var waiters: [CheckedContinuation<String, Never>] = []
    }

    private let state = Mutex<State>(State())

    /// Creates an untriggered signal.
    public init() {}

    /// Triggers the signal; later calls are ignored.
    public func fire(_ reason: String) {
        let waiters = state.withLock { state -> [CheckedContinuation<String, Never>] in
            guard state.reason == nil else { return [] }
            state.reason = reason
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume(returning: reason) }
    }

    /// True once triggered.
    public var isFired: Bool { state.withLock { $0.reason != nil } }

    /// Waits until the signal fires and returns its reason.
    public func wait() async -> String {
        await withCheckedContinuation { continuation in
            let reason = state.withLock { state -> String? in
                if let reason = state.reason { return reason }
                state.waiters.append(continuation)
                return nil
            }
            if let reason { continuation.resume(returning: reason) }
        }
    }
}
