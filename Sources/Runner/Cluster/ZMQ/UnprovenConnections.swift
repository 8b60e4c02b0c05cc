/// The master's connections that have not delivered a whole message yet, oldest first: peers in the
/// ZMTP (or CURVE) handshake, or connected but silent. libzmq buffers up to `ZMQ_MAXMSGSIZE` for each
/// of them and keeps a silent connection forever, so the router drops (`shutdown`) the oldest past
/// ``limit`` and any older than ``timeout``: what peers that proved nothing can cost is bounded by
/// `limit × ZMQ_MAXMSGSIZE`, whatever the settings, plus what the newest of them could send within
/// ``grace``. A connection younger than ``grace`` is not dropped for the limit: a burst of real
/// slaves (a `kubectl scale`, a master restarted under a thousand slaves) has its `client_ready`
/// frames queued behind their ACCEPTED events, and speaks within milliseconds.
///
/// A value type driven by the router's I/O thread with an injected clock (seconds), so that it is
/// tested without sockets or sleeps.
struct UnprovenConnections: Sendable {
    /// A connection to drop, and why.
    struct Drop: Sendable, Equatable {
        var fd: Int32
        var peer: String
        var reason: Reason
    }

    /// Why a connection is dropped.
    enum Reason: Sendable, Equatable {
        /// More than ``limit`` connections were waiting; this was the oldest.
        case tooMany
        /// It sent no whole message within ``timeout``.
        case silent
    }

    let limit: Int
    let timeout: Double
    let grace: Double
    private var waiting: [(fd: Int32, peer: String, since: Double)] = []

    init(
        limit: Int = ClusterProtocol.maxUnprovenConnections, timeout: Double = ClusterProtocol.firstMessageTimeout,
        grace: Double = 1
    ) {
        self.limit = max(1, limit)
        self.timeout = timeout
        self.grace = min(grace, timeout)
    }

    /// How many connections are waiting.
    var count: Int { waiting.count }

    /// Seconds until the next drop could be due (nil when none waits): the oldest's timeout, or, past
    /// the limit, the end of its grace.
    func secondsUntilNextTimeout(now: Double) -> Double? {
        guard let oldest = waiting.first else { return nil }
        let due = waiting.count > limit ? oldest.since + grace : oldest.since + timeout
        return max(0, due - now)
    }

    /// A connection was accepted; returns the connections to drop now (see ``due(at:)``).
    mutating func accepted(fd: Int32, peer: String, at now: Double) -> [Drop] {
        waiting.removeAll { $0.fd == fd }
        waiting.append((fd, peer, now))
        return due(at: now)
    }

    /// The connections to drop at `now`, which stop waiting: the oldest past ``limit`` that have waited
    /// ``grace`` or more, then any that have waited ``timeout``.
    mutating func due(at now: Double) -> [Drop] {
        var drops: [Drop] = []
        while waiting.count > limit, let oldest = waiting.first, now - oldest.since >= grace {
            waiting.removeFirst()
            drops.append(Drop(fd: oldest.fd, peer: oldest.peer, reason: .tooMany))
        }
        return drops + expired(at: now)
    }

    /// A whole message came on `fd`: the connection is no longer waiting.
    mutating func spoke(fd: Int32) {
        if let index = waiting.firstIndex(where: { $0.fd == fd }) { waiting.remove(at: index) }
    }

    /// The connection on `fd` ended.
    mutating func closed(fd: Int32) {
        spoke(fd: fd)
    }

    /// The connections that have waited ``timeout`` seconds or more at `now`; they stop waiting.
    mutating func expired(at now: Double) -> [Drop] {
        var drops: [Drop] = []
        while let oldest = waiting.first, now - oldest.since >= timeout {
            waiting.removeFirst()
            drops.append(Drop(fd: oldest.fd, peer: oldest.peer, reason: .silent))
        }
        return drops
    }
}
