import CZeroMQ
import Glibc

/// The I/O-thread side of a ``ZMQRouter``: turns monitor events and received frames into
/// ``ZMQRouter/Event``s, and sends queued `[identity, payload]` messages.
///
/// It keeps, per connection (file descriptor), the peer's address and the identity last seen on
/// it, and per identity the connection it was last seen on. A message's fd comes from `ZMQ_SRCFD`;
/// the monitor's events and the socket's messages travel separately, and the kernel reuses file
/// descriptors at once, so the order in which the two are read decides what is reported:
/// - libzmq reports ACCEPTED before that connection's first message can exist, so monitor events
///   are read before messages; an fd not announced yet (its ACCEPTED emitted after the monitor was
///   read) gets a record (and its `.connected`) from its first message, with `getpeername`.
/// - A connection's messages are all in the socket before libzmq reports its end, so before a
///   DISCONNECTED is handled the socket is drained: a worker's last words (final stats, `quit`)
///   come before its `.disconnected`. Not when an ACCEPTED of the same fd follows among the events
///   read: the queued messages might then be the new connection's (a worker reconnecting), and it
///   must not look gone; the old connection's late messages then keep its address and are not
///   counted as activity of that fd.
final class ZMQRouterEngine: ZMQSocketEngine {
    /// One message to send.
    struct Outgoing: Sendable {
        /// The peer's identity (its DEALER's `ZMQ_ROUTING_ID`).
        var identity: [UInt8]
        /// The single payload frame.
        var payload: [UInt8]
    }

    private struct Connection {
        var peer: String
        var identity: [UInt8]?
        /// Created from a message before its ACCEPTED event was read (which then adds nothing).
        var early = false
    }

    let socket: ZMQSocket
    let monitor: ZMQMonitor
    var backlog = ZMQEventBacklog()
    private let local: ZMQLocalName
    private let mailbox: ZMQMailbox<Outgoing>
    private let logger: RunLogger?
    private var handler: (@Sendable (ZMQRouter.Event) -> Void)?
    private var connections: [Int32: Connection] = [:]
    /// Connections reported disconnected whose fd has not been accepted again.
    private var closed: [Int32: Connection] = [:]
    private var lastConnection: [[UInt8]: Int32] = [:]
    private var parts: [ZMQFrame] = []
    /// Connections without a whole message yet, bounded in number and time (see ``UnprovenConnections``).
    private var unproven = UnprovenConnections()
    private let started = ContinuousClock.now
    /// Drops not logged yet (a flood is logged once every few seconds), and when the last line was.
    private var unloggedDrops = 0
    private var lastDropLog: Double?

    /// An engine for `socket` (already bound to `local`) and its `monitor`.
    init(
        socket: ZMQSocket, monitor: ZMQMonitor, local: ZMQLocalName, mailbox: ZMQMailbox<Outgoing>, logger: RunLogger?,
        handler: @escaping @Sendable (ZMQRouter.Event) -> Void
    ) {
        self.socket = socket
        self.monitor = monitor
        self.local = local
        self.mailbox = mailbox
        self.logger = logger
        self.handler = handler
    }

    func mustDrain(before event: ZMQMonitorEvent, followedBy later: ArraySlice<ZMQMonitorEvent>) -> Bool {
        event.event == ZMQ_EVENT_DISCONNECTED
            && !later.contains { $0.event == ZMQ_EVENT_ACCEPTED && $0.value == event.value }
    }

    func handle(_ event: ZMQMonitorEvent) {
        let fd = event.fd
        switch event.event {
        case ZMQ_EVENT_ACCEPTED:
            closed[fd] = nil
            if let connection = connections[fd], connection.early {
                connections[fd]?.early = false
                return
            }
            let peer = ZMQAddress.peerName(of: fd, local: local) ?? "fd \(fd)"
            connections[fd] = Connection(peer: peer)
            handler?(.connected(peer: peer))
            drop(unproven.accepted(fd: fd, peer: peer, at: now))
        case ZMQ_EVENT_DISCONNECTED:
            unproven.closed(fd: fd)
            let connection = connections.removeValue(forKey: fd) ?? Connection(peer: "fd \(fd)")
            closed[fd] = Connection(peer: connection.peer)
            var identity = connection.identity
            if let known = identity {
                if lastConnection[known] == fd {
                    lastConnection[known] = nil
                } else {
                    // ROUTER_HANDOVER: the identity has moved to a newer connection, which is alive.
                    identity = nil
                }
            }
            handler?(.disconnected(identity: identity, peer: connection.peer))
        case ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL, ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL,
            ZMQ_EVENT_HANDSHAKE_FAILED_AUTH:
            logger?.debug("ZeroMQ \(event.name) on \(event.endpoint) (code \(event.value))")
            handler?(.handshakeFailed(event.name))
        default:
            break
        }
    }

    var wantsDeclaredIdentity: Bool { true }

    func take(_ frame: ZMQFrame) {
        parts.append(frame)
        if !frame.more { deliver() }
    }

    /// Delivers the message in `parts` (identity first): one payload frame is a message, anything
    /// else is malformed.
    ///
    /// With `ROUTER_HANDOVER`, libzmq gives the pipe of a superseded connection a generated routing
    /// id (a zero byte and four more), and messages still queued in it come out under that id. They
    /// are reported with the identity their peer declared in its handshake, and do not count as
    /// that identity's activity on that connection (it now lives on a newer one).
    private func deliver() {
        let message = parts
        parts = []
        guard let first = message.first, let last = message.last else { return }
        var identity = first.bytes
        var superseded = false
        if identity.count == 5, identity[0] == 0, let declared = last.declaredIdentity, !declared.isEmpty,
            declared != identity
        {
            identity = declared
            superseded = true
        }
        let peer = (last.sourceFD ?? first.sourceFD).map { record(identity, on: $0, superseded: superseded) } ?? "unknown"
        if message.count == 2 {
            handler?(.received(identity: identity, payload: last.bytes, peer: peer))
        } else {
            let frames = message.count - 1
            handler?(.malformed(identity: identity, peer: peer, reason: "a message of \(frames) frames, not 1"))
        }
    }

    /// Notes that `identity` spoke on `fd` (on a pipe libzmq had `superseded`); returns the
    /// connection's peer address.
    private func record(_ identity: [UInt8], on fd: Int32, superseded: Bool) -> String {
        unproven.spoke(fd: fd)
        if var connection = connections[fd] {
            connection.identity = identity
            connections[fd] = connection
            if !superseded {
                lastConnection[identity] = fd
            } else if lastConnection[identity] == fd {
                lastConnection[identity] = nil
            }
            return connection.peer
        }
        if let late = closed[fd] {
            // A late message of a connection already reported gone: it is not brought back.
            return late.peer
        }
        let peer = ZMQAddress.peerName(of: fd, local: local) ?? "fd \(fd)"
        connections[fd] = Connection(peer: peer, identity: identity, early: true)
        if !superseded { lastConnection[identity] = fd }
        handler?(.connected(peer: peer))
        return peer
    }

    func send(_ item: Outgoing) {
        let rc = socket.send(item.identity, flags: ZMQ_SNDMORE | ZMQ_DONTWAIT)
        switch rc {
        case 0:
            if socket.send(item.payload, flags: ZMQ_DONTWAIT) != 0 { mailbox.dropped.add(1, ordering: .relaxed) }
        case EHOSTUNREACH:
            logger?.debug("ZeroMQ: dropped a message to \(Self.printable(item.identity)), which is not connected")
        case EAGAIN:
            mailbox.dropped.add(1, ordering: .relaxed)
            logger?.debug("ZeroMQ: dropped a message to \(Self.printable(item.identity)): its queue is full")
        default:
            mailbox.dropped.add(1, ordering: .relaxed)
            logger?.debug("ZeroMQ: dropped a message to \(Self.printable(item.identity)): \(ZMQFailure(operation: "zmq_send", code: rc))")
        }
    }

    func reopen() -> Bool { true }

    /// Seconds since the engine started (monotonic): the unproven connections' clock.
    private var now: Double {
        let (seconds, attoseconds) = (ContinuousClock.now - started).components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    func pollTimeoutMilliseconds() -> Int {
        guard let seconds = unproven.secondsUntilNextTimeout(now: now) else { return -1 }
        return max(1, Int((seconds * 1000).rounded(.up)))
    }

    func tick() {
        if unproven.count > 0 { drop(unproven.due(at: now)) }
    }

    /// Shuts the connections down (libzmq then sees them end, frees their buffers and reports them
    /// disconnected); a descriptor that now belongs to another peer (closed and reused meanwhile) is
    /// left alone.
    private func drop(_ drops: [UnprovenConnections.Drop]) {
        for drop in drops {
            guard ZMQAddress.peerName(of: drop.fd, local: local) == drop.peer else { continue }
            _ = shutdown(drop.fd, Int32(SHUT_RDWR))
            unloggedDrops += 1
            let time = now
            if lastDropLog.map({ time - $0 >= 5 }) ?? true {
                let why = drop.reason == .silent
                    ? "no whole message in \(PythonStyle.number(unproven.timeout)) s"
                    : "more than \(unproven.limit) connections had sent no whole message yet"
                let more = unloggedDrops > 1 ? " (and \(unloggedDrops - 1) more since the last such line)" : ""
                logger?.warning("Dropped the connection from \(drop.peer): \(why)\(more)")
                unloggedDrops = 0
                lastDropLog = time
            }
        }
    }

    func linger(forClose requested: Duration) -> Duration { requested }

    func didClose() {
        handler = nil
        connections = [:]
        closed = [:]
        lastConnection = [:]
    }

    /// An identity for logs: its UTF-8 text (Locust's are `host_<hex>`), else hex.
    static func printable(_ identity: [UInt8]) -> String {
        if let text = String(validating: identity, as: UTF8.self), text.allSatisfy({ !$0.isNewline }) { return text }
        return identity.map { $0 < 16 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
    }
}
