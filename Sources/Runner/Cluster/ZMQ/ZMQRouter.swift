import CZeroMQ

/// The master's ROUTER socket: Locust 2.x's coordinator wire (ZMTP 3, NULL mechanism), bound to one
/// TCP port, one connection per worker, each worker known by its DEALER's identity.
///
/// Events go to the handler on the socket's own I/O thread (see `ZMQIOThread.swift`), in order;
/// the handler should hand them on rather than do long work there. ``send(_:to:)`` may be called
/// from any thread, the handler included.
final class ZMQRouter: Sendable {
    /// What the router tells its handler.
    enum Event: Sendable {
        /// A TCP peer was accepted (`ZMQ_EVENT_ACCEPTED`); `peer` is its address, `127.0.0.1:54321`.
        /// Its identity is known with its first message.
        case connected(peer: String)
        /// A connection's ZMTP handshake failed (the event's name): with `--cluster-token`, a peer
        /// without the token (or a Locust worker, which cannot speak CURVE). libzmq closes it.
        case handshakeFailed(String)
        /// One message of exactly one payload frame from `identity`; `peer` is the address of the
        /// connection it came on.
        case received(identity: [UInt8], payload: [UInt8], peer: String)
        /// A message that is not one payload frame (e.g. three parts): not delivered.
        case malformed(identity: [UInt8], peer: String, reason: String)
        /// A connection ended (`ZMQ_EVENT_DISCONNECTED`: the peer closed it, it broke, its handshake
        /// failed or timed out, or it sent more than `maxMessageSize`). `identity` is the one last
        /// seen on that connection; nil if it never sent a message, or if that identity has since
        /// been seen on a newer connection (`ROUTER_HANDOVER`: that worker is still here). A worker
        /// that reconnects (Locust's `reconnect`) closes its old connection first, so this usually
        /// comes with its identity, then its messages come on the new connection. `peer` is `fd N`
        /// for a connection libzmq closed before its address could be read (garbage, at once).
        case disconnected(identity: [UInt8]?, peer: String)
    }

    /// The port bound (the one chosen by the system when asked for port 0); 0 for an `ipc://` socket.
    let port: Int
    private let mailbox: ZMQMailbox<ZMQRouterEngine.Outgoing>

    /// Binds `tcp://host:port` (port 0: a random free port; host `*` for every interface, dual
    /// stack) and starts the I/O thread and the monitor.
    ///
    /// The socket has `ZMQ_ROUTER_MANDATORY` (a send to a gone peer fails, and is dropped, instead
    /// of queueing), `ZMQ_ROUTER_HANDOVER` (a reconnecting worker with the same identity takes
    /// over), TCP keepalive, `ZMQ_MAXMSGSIZE`, `ZMQ_HANDSHAKE_IVL` and the high-water marks of
    /// `options`.
    ///
    /// - Throws: `RunnerError.badInput("cannot listen on HOST:PORT for slaves: …")`, e.g. when the
    ///   address is in use.
    convenience init(
        host: String, port: Int, options: ZMQSocketOptions = .init(), logger: RunLogger? = nil,
        handler: @escaping @Sendable (Event) -> Void
    ) throws {
        let (endpoint, ipv6) = ZMQAddress.tcpEndpoint(host: host, port: port)
        try self.init(endpoint: endpoint, ipv6: ipv6, describedAs: "\(host):\(port)", options: options, logger: logger, handler: handler)
    }

    /// Binds the Unix domain socket `ipc://path` (the coordinator's TLS listener connects to it),
    /// otherwise as the TCP router; peers are named by the path their end bound.
    convenience init(
        ipcPath path: String, options: ZMQSocketOptions = .init(), logger: RunLogger? = nil,
        handler: @escaping @Sendable (Event) -> Void
    ) throws {
        try self.init(endpoint: "ipc://\(path)", ipv6: false, describedAs: path, options: options, logger: logger, handler: handler)
    }

    private init(
        endpoint: String, ipv6: Bool, describedAs address: String, options: ZMQSocketOptions, logger: RunLogger?,
        handler: @escaping @Sendable (Event) -> Void
    ) throws {
        let socket: ZMQSocket
        let monitor: ZMQMonitor
        let bound: ZMQLocalName
        let mailbox: ZMQMailbox<ZMQRouterEngine.Outgoing>
        do throws(ZMQFailure) {
            (socket, monitor, bound) = try Self.open(endpoint: endpoint, ipv6: ipv6, options: options)
            do throws(ZMQFailure) {
                mailbox = try ZMQMailbox()
            } catch {
                ZMQIOThread.close(socket: socket, monitor: monitor, linger: .zero, logger: logger)
                throw error
            }
        } catch {
            let reason = error.operation.hasPrefix("zmq_bind") ? error.reason : error.description
            throw RunnerError.badInput("cannot listen on \(address) for slaves: \(reason)")
        }
        if case .port(let number) = bound { self.port = number } else { self.port = 0 }
        self.mailbox = mailbox
        ZMQIOThread.start(name: "locust-zmq-rtr", mailbox: mailbox, logger: logger) {
            ZMQRouterEngine(
                socket: socket, monitor: monitor, local: bound, mailbox: mailbox, logger: logger, handler: handler)
        }
    }

    deinit {
        mailbox.requestClose(linger: .zero)
    }

    /// Opens, configures, monitors and binds the socket; returns it with the port (or path) bound.
    private static func open(
        endpoint: String, ipv6: Bool, options: ZMQSocketOptions
    ) throws(ZMQFailure) -> (ZMQSocket, ZMQMonitor, ZMQLocalName) {
        let socket = try ZMQSocket.open(type: ZMQ_ROUTER)
        let monitor: ZMQMonitor
        do throws(ZMQFailure) {
            try socket.applyCommon(options, ipv6: ipv6, zapDomain: true)
            try socket.set(ZMQ_ROUTER_MANDATORY, 1, "ZMQ_ROUTER_MANDATORY")
            try socket.set(ZMQ_ROUTER_HANDOVER, 1, "ZMQ_ROUTER_HANDOVER")
            try options.curve?.applyServer(to: socket)
            monitor = try ZMQMonitor.attach(
                to: socket,
                events: ZMQ_EVENT_ACCEPTED | ZMQ_EVENT_DISCONNECTED | ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL
                    | ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL | ZMQ_EVENT_HANDSHAKE_FAILED_AUTH)
        } catch {
            socket.close()
            throw error
        }
        do throws(ZMQFailure) {
            try socket.bind(endpoint)
        } catch {
            monitor.detach(from: socket)
            socket.close()
            throw error
        }
        if endpoint.hasPrefix("ipc://") { return (socket, monitor, .path(String(endpoint.dropFirst("ipc://".count)))) }
        guard let bound = socket.lastEndpoint(), let port = ZMQAddress.port(ofEndpoint: bound) else {
            monitor.detach(from: socket)
            socket.close()
            throw ZMQFailure(operation: "zmq_getsockopt ZMQ_LAST_ENDPOINT", code: EINVAL)
        }
        return (socket, monitor, .port(port))
    }

    /// Queues the message `[identity, payload]` (thread-safe, never blocks). A message to an
    /// identity that is not connected is dropped (logged at DEBUG), as is one beyond that peer's
    /// high-water mark (counted in ``droppedMessages``).
    func send(_ payload: [UInt8], to identity: [UInt8]) {
        mailbox.post(ZMQRouterEngine.Outgoing(identity: identity, payload: payload))
    }

    /// Messages dropped for a full queue, or sent after ``close(linger:)``.
    var droppedMessages: Int { mailbox.dropped.load(ordering: .relaxed) }

    /// Sends what is queued (waiting at most `linger` for it to leave), closes the socket and ends
    /// the I/O thread; no event is delivered once the thread has seen the request. Idempotent (the
    /// first call's linger applies); returns once the thread has ended.
    func close(linger: Duration) async {
        mailbox.requestClose(linger: linger)
        await mailbox.waitUntilFinished()
    }
}
