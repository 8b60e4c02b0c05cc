internal import CCurl
import Glibc

/// The epoll set of one engine thread: the sockets that its connection groups' libcurl multi handles
/// ask to watch, and an eventfd that other threads write to wake the thread.
///
/// libcurl stops watching a connection's socket when a transfer ends and watches it again when the
/// user's next request reuses it: two `epoll_ctl` calls per request. Sockets that libcurl opened through
/// ``opened(_:)`` are therefore only *parked* when it stops watching them: they stay in the epoll set,
/// and an event on a parked socket (the server closed the idle connection) unregisters it then. Their
/// closing goes through ``closed(_:)``, so a descriptor number reused by a new socket never inherits
/// a stale registration.
///
/// Every method but ``wake()`` runs on the engine thread only.
final class EventPoller {
    /// The token of the wake-up eventfd; socket tokens are `group << 32 | fd`.
    static let wakeToken: UInt64 = .max

    private let epollFD: Int32
    private let wakeFD: Int32
    private let events: UnsafeMutablePointer<epoll_event>
    private let capacity: Int32 = 1024
    /// Per descriptor: the registered epoll mask (0: not registered), plus the flags below.
    // @exclusivity(unchecked): only the engine thread touches it, in short accesses that never overlap.
    @exclusivity(unchecked) private var watched: [UInt32] = []
    private static let owned: UInt32 = 1 << 31
    private static let parked: UInt32 = 1 << 30
    private static let maskBits: UInt32 = ~(owned | parked)

    init() {
        epollFD = epoll_create1(Int32(EPOLL_CLOEXEC))
        wakeFD = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
        guard epollFD >= 0, wakeFD >= 0, let events = locust_epoll_events_allocate(capacity) else {
            fatalError("epoll_create1/eventfd failed (errno \(errno)): the engine cannot run")
        }
        self.events = events
        _ = locust_epoll_ctl(epollFD, EPOLL_CTL_ADD, wakeFD, EPOLLIN.rawValue, Self.wakeToken)
    }

    /// Wakes the engine thread from ``wait(milliseconds:)``; safe from any thread.
    func wake() {
        var one: UInt64 = 1
        _ = write(wakeFD, &one, 8)
    }

    private func grow(toHold fd: Int32) {
        let index = Int(fd)
        if index >= watched.count {
            watched.append(contentsOf: repeatElement(0, count: max(index + 1 - watched.count, watched.count)))
        }
    }

    /// Records a socket that libcurl opened through the engine's open-socket callback.
    func opened(_ fd: Int32) {
        guard fd >= 0 else { return }
        grow(toHold: fd)
        // A new socket: whatever was recorded for this number belonged to a closed one.
        watched[Int(fd)] = Self.owned
    }

    /// Records that libcurl closed one of its sockets; closing it removed it from the epoll set.
    func closed(_ fd: Int32) {
        guard fd >= 0, Int(fd) < watched.count else { return }
        watched[Int(fd)] = 0
    }

    /// Applies one libcurl socket-callback request (`CURL_POLL_IN/OUT/INOUT/REMOVE`) for `fd`.
    func watch(fd: Int32, what: Int32, group: Int) {
        guard fd >= 0 else { return }
        grow(toHold: fd)
        let index = Int(fd)
        let state = watched[index]
        let current = state & Self.maskBits
        if what == Int32(CURL_POLL_REMOVE) {
            if current == 0 { return }
            if state & Self.owned != 0 {
                watched[index] = state | Self.parked
            } else {
                _ = locust_epoll_ctl(epollFD, EPOLL_CTL_DEL, fd, 0, 0)
                watched[index] = state & ~Self.maskBits
            }
            return
        }
        var mask: UInt32 = 0
        if what & Int32(CURL_POLL_IN) != 0 { mask |= EPOLLIN.rawValue }
        if what & Int32(CURL_POLL_OUT) != 0 { mask |= EPOLLOUT.rawValue }
        watched[index] = (state & Self.owned) | mask
        if mask == current { return }
        let token = UInt64(group) << 32 | UInt64(UInt32(bitPattern: fd))
        if current == 0 {
            if locust_epoll_ctl(epollFD, EPOLL_CTL_ADD, fd, mask, token) != 0 && errno == EEXIST {
                _ = locust_epoll_ctl(epollFD, EPOLL_CTL_MOD, fd, mask, token)
            }
        } else if locust_epoll_ctl(epollFD, EPOLL_CTL_MOD, fd, mask, token) != 0 && errno == ENOENT {
            _ = locust_epoll_ctl(epollFD, EPOLL_CTL_ADD, fd, mask, token)
        }
    }

    /// True when `fd` is parked: an event on it is for nobody, and it is unregistered now.
    func takeParked(_ fd: Int32) -> Bool {
        guard fd >= 0, Int(fd) < watched.count else { return false }
        let state = watched[Int(fd)]
        guard state & Self.parked != 0 else { return false }
        _ = locust_epoll_ctl(epollFD, EPOLL_CTL_DEL, fd, 0, 0)
        watched[Int(fd)] = state & Self.owned
        return true
    }

    /// Sets `SO_LINGER` 0 on every socket libcurl opened, so that closing them (at process exit) resets
    /// them instead of leaving their local ports in TIME_WAIT for a minute.
    func resetOnClose() {
        var option = linger(l_onoff: 1, l_linger: 0)
        for (fd, state) in watched.enumerated() where state & Self.owned != 0 {
            _ = setsockopt(Int32(fd), SOL_SOCKET, SO_LINGER, &option, socklen_t(MemoryLayout<linger>.size))
        }
    }

    /// Waits up to `milliseconds` (0: poll) and returns the number of ready events.
    func wait(milliseconds: Int32) -> Int {
        let count = locust_epoll_wait(epollFD, events, capacity, milliseconds)
        return count > 0 ? Int(count) : 0
    }

    /// The token and libcurl's `CURL_CSELECT_*` bits of ready event `index`.
    func event(at index: Int) -> (token: UInt64, curlFlags: Int32) {
        let token = locust_epoll_token(events, Int32(index))
        let flags = locust_epoll_flags(events, Int32(index))
        var curl: Int32 = 0
        if flags & (EPOLLIN.rawValue | EPOLLHUP.rawValue | EPOLLRDHUP.rawValue) != 0 { curl |= Int32(CURL_CSELECT_IN) }
        if flags & EPOLLOUT.rawValue != 0 { curl |= Int32(CURL_CSELECT_OUT) }
        if flags & EPOLLERR.rawValue != 0 { curl |= Int32(CURL_CSELECT_ERR) }
        return (token, curl)
    }

    /// Empties the eventfd after a wake-up.
    func drainWake() {
        var value: UInt64 = 0
        _ = read(wakeFD, &value, 8)
    }
}
