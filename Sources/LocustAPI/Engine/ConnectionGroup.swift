internal import CCurl

/// One libcurl multi handle of an engine thread, holding the keep-alive connections of the users placed
/// in it.
///
/// An engine thread spreads its users over groups of ``usersPerGroup``. libcurl 7.88 walks a multi
/// handle's whole connection cache for every finished transfer, so small caches keep that walk short
/// with thousands of users (one cache of 15,000 connections cost 100 µs per request). Inside a group
/// each user keeps its own connection: see ``ConnectionSlot``.
final class ConnectionGroup {
    /// Users per group; the connection cache holds twice as many, for a user's parallel requests.
    static let usersPerGroup = 64

    let index: Int
    let multi: UnsafeMutableRawPointer
    /// When libcurl wants `curl_multi_socket_action(CURL_SOCKET_TIMEOUT)` (monotonic ns; `.max`: never).
    // @exclusivity(unchecked): set by libcurl's timer callback and read by the loop, on one thread,
    // never during an inout access.
    @exclusivity(unchecked) var deadline: UInt64 = .max
    /// The engine thread's epoll set (a strong reference: the poller holds none back, and reading it from
    /// the borrowed group in the socket callback costs no retain).
    let poller: EventPoller

    init(index: Int, poller: EventPoller) {
        guard let multi = curl_multi_init() else { fatalError("curl_multi_init failed: out of memory") }
        self.index = index
        self.multi = multi
        self.poller = poller
        _ = locust_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, Self.usersPerGroup * 2)
        let me = Unmanaged.passUnretained(self).toOpaque()
        _ = locust_multi_setopt_ptr(multi, CURLMOPT_SOCKETDATA, me)
        _ = locust_multi_setopt_ptr(multi, CURLMOPT_TIMERDATA, me)
        _ = locust_multi_setopt_socket_cb(multi) { _, fd, what, user, _ in
            guard let user else { return 0 }
            // The group owns its multi handle, so it outlives the callbacks: borrowed, no retain/release.
            Unmanaged<ConnectionGroup>.fromOpaque(user)._withUnsafeGuaranteedRef { group in
                group.poller.watch(fd: fd, what: what, group: group.index)
            }
            return 0
        }
        _ = locust_multi_setopt_timer_cb(multi) { _, milliseconds, user in
            guard let user else { return 0 }
            // As above: the group outlives its multi handle's callbacks.
            Unmanaged<ConnectionGroup>.fromOpaque(user)._withUnsafeGuaranteedRef { group in
                if milliseconds < 0 {
                    group.deadline = .max
                } else if milliseconds == 0 {
                    group.deadline = 0
                } else {
                    // libcurl truncates its timeouts to whole milliseconds and calls back only when its
                    // next expiry changes: waking a little late never loses a timer, waking early could.
                    group.deadline = MonotonicClock.nanoseconds() + UInt64(milliseconds + 1) * 1_000_000
                }
            }
            return 0
        }
    }

    deinit {
        curl_multi_cleanup(multi)
    }
}
