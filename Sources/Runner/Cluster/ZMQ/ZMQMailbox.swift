import CZeroMQ
import Glibc
import Synchronization

/// What the callers of one socket share with its I/O thread: the messages to send, whether to
/// reconnect or close, who waits for the close, and the eventfd that wakes the thread out of
/// `zmq_poll`. Every call is thread-safe and none blocks (the lock guards a few array operations).
final class ZMQMailbox<Item: Sendable>: Sendable {
    /// What the I/O thread takes in one go.
    struct Batch {
        /// Messages to send, in the order they were queued.
        var items: [Item]
        /// A reconnection was asked for (dealer).
        var reconnect: Bool
        /// A close was asked for, with this linger.
        var close: Duration?
    }

    private struct State {
        var items: [Item] = []
        var reconnect = false
        var close: Duration?
        /// The eventfd holds a wake-up the thread has not taken yet (so one write per batch).
        var signalled = false
        /// The thread ended; the eventfd is closed.
        var finished = false
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    /// The eventfd the I/O thread polls (non-blocking, close-on-exec).
    let wakeFD: Int32
    /// Messages that could not be sent (no connection, high-water mark, or queued after a close).
    let dropped = Atomic<Int>(0)
    private let state = Mutex(State())

    /// Creates the eventfd.
    init() throws(ZMQFailure) {
        let fd = eventfd(0, Int32(EFD_CLOEXEC | EFD_NONBLOCK))
        guard fd >= 0 else { throw ZMQFailure(operation: "eventfd", code: errno) }
        wakeFD = fd
    }

    deinit {
        state.withLock { state in
            if !state.finished { Glibc.close(wakeFD) }
        }
    }

    /// Queues `item` and wakes the thread; once a close was asked for, drops and counts it.
    func post(_ item: Item) {
        let queued = state.withLock { state in
            guard state.close == nil, !state.finished else { return false }
            state.items.append(item)
            signal(&state)
            return true
        }
        if !queued { dropped.add(1, ordering: .relaxed) }
    }

    /// Asks the thread to reconnect (ignored once closing).
    func requestReconnect() {
        state.withLock { state in
            guard state.close == nil, !state.finished else { return }
            state.reconnect = true
            signal(&state)
        }
    }

    /// Asks the thread to close, with `linger` for what is queued (the first request's linger wins).
    func requestClose(linger: Duration) {
        state.withLock { state in
            guard state.close == nil, !state.finished else { return }
            state.close = linger
            signal(&state)
        }
    }

    /// Returns once the thread has ended (at once if it has).
    func waitUntilFinished() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let finished = state.withLock { state in
                if !state.finished { state.waiters.append(continuation) }
                return state.finished
            }
            if finished { continuation.resume() }
        }
    }

    /// For the I/O thread: takes everything asked for since the last call and re-arms the eventfd.
    func take() -> Batch {
        state.withLock { state in
            if state.signalled {
                var count: eventfd_t = 0
                _ = eventfd_read(wakeFD, &count)
                state.signalled = false
            }
            defer {
                state.items = []
                state.reconnect = false
            }
            return Batch(items: state.items, reconnect: state.reconnect, close: state.close)
        }
    }

    /// For the I/O thread, as it ends: later posts are dropped, the eventfd is closed, and whoever
    /// waits in ``waitUntilFinished()`` resumes. Items still queued count as dropped.
    func finish() {
        let (waiters, left) = state.withLock { state in
            state.finished = true
            if state.close == nil { state.close = .zero }
            Glibc.close(wakeFD)
            defer {
                state.waiters = []
                state.items = []
            }
            return (state.waiters, state.items.count)
        }
        dropped.add(left, ordering: .relaxed)
        for waiter in waiters { waiter.resume() }
    }

    private func signal(_ state: inout State) {
        guard !state.signalled else { return }
        state.signalled = true
        _ = eventfd_write(wakeFD, 1)
    }
}
