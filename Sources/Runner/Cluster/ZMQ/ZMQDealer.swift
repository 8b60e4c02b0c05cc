import CZeroMQ

/// A worker's DEALER socket: Locust 2.x's coordinator wire (ZMTP 3, NULL mechanism), one frame per
/// message, identified to the master by `identity`. libzmq connects, and reconnects after a loss,
/// by itself.
///
/// Events go to the handler on the socket's own I/O thread (see `ZMQIOThread.swift`), in order.
/// ``send(_:)`` may be called from any thread, the handler included.
final class ZMQDealer: Sendable {
    /// What the dealer tells its handler.
    enum Event: Sendable {
        /// The connection to the master is up (its ZMTP handshake is done): sends go through.
        /// May follow ``disconnected`` many times, as libzmq reconnects.
        case connected
        /// The connection was lost (or dropped by ``ZMQDealer/reconnect()``); libzmq reconnects.
        case disconnected
        /// One single-frame message.
        case received([UInt8])
        /// A connection closed before its ZMTP handshake was done, with no handshake failure
        /// reported (the other end closed it: e.g. a master that expects TLS); libzmq retries.
        case closedBeforeHandshake
        /// A connection's ZMTP handshake failed (the event's name: a protocol error is another
        /// mechanism, e.g. CURVE against NULL; authentication, a refused CURVE peer); libzmq retries.
        case handshakeFailed(String)
    }

    private let mailbox: ZMQMailbox<[UInt8]>

    /// Opens the socket and starts connecting to `tcp://host:port` (a host name is resolved by
    /// libzmq when it connects, and retried).
    ///
    /// The socket has `ZMQ_ROUTING_ID` = `identity`, TCP keepalive, `ZMQ_MAXMSGSIZE`,
    /// `ZMQ_RECONNECT_IVL(_MAX)` and the high-water marks of `options`. A message is never queued
    /// for a connection that does not exist: one sent while disconnected (before `.connected`,
    /// after `.disconnected`) is dropped and counted in ``droppedMessages``. (This is the dealer's
    /// own check, not `ZMQ_IMMEDIATE`, which in libzmq 4.3.4 loses received messages when the
    /// connection closes; see `ZMQDealerEngine`.)
    ///
    /// - Throws: `RunnerError.badInput` naming what failed: an identity that is not 1 to 255 bytes
    ///   (or starts with a zero byte, which ZMTP reserves), or an address libzmq rejects.
    ///
    /// With `ipcPath`, it connects to that Unix domain socket instead (the coordinator's TLS
    /// connector, which carries the connection to `host:port`); `host:port` then only names the
    /// master in errors.
    init(
        identity: String, host: String, port: Int, ipcPath: String? = nil, options: ZMQSocketOptions = .init(),
        logger: RunLogger? = nil, handler: @escaping @Sendable (Event) -> Void
    ) throws {
        let identityBytes = Array(identity.utf8)
        guard (1...255).contains(identityBytes.count), identityBytes.first != 0 else {
            throw RunnerError.badInput(
                "cannot connect to the master at \(host):\(port): the client id '\(identity)' must be 1 to 255 bytes")
        }
        let (endpoint, ipv6) = ipcPath.map { ("ipc://\($0)", false) } ?? ZMQAddress.tcpEndpoint(host: host, port: port)
        let configuration = ZMQDealerEngine.Configuration(
            identity: identityBytes, endpoint: endpoint, ipv6: ipv6, options: options)
        let socket: ZMQSocket
        let monitor: ZMQMonitor
        let mailbox: ZMQMailbox<[UInt8]>
        do throws(ZMQFailure) {
            (socket, monitor) = try ZMQDealerEngine.open(configuration)
            do throws(ZMQFailure) {
                mailbox = try ZMQMailbox()
            } catch {
                ZMQIOThread.close(socket: socket, monitor: monitor, linger: .zero, logger: logger)
                throw error
            }
        } catch {
            throw RunnerError.badInput("cannot connect to the master at \(host):\(port): \(error)")
        }
        self.mailbox = mailbox
        ZMQIOThread.start(name: "locust-zmq-dlr", mailbox: mailbox, logger: logger) {
            ZMQDealerEngine(
                socket: socket, monitor: monitor, configuration: configuration, mailbox: mailbox, logger: logger,
                handler: handler)
        }
    }

    deinit {
        mailbox.requestClose(linger: .zero)
    }

    /// Queues one frame (thread-safe, never blocks). A message that cannot be sent when the I/O
    /// thread gets to it (no connection, high-water mark reached) is dropped and counted in
    /// ``droppedMessages``.
    func send(_ payload: [UInt8]) {
        mailbox.post(payload)
    }

    /// Messages dropped: sent while disconnected, beyond the high-water mark, or after a close.
    var droppedMessages: Int { mailbox.dropped.load(ordering: .relaxed) }

    /// Closes the socket and opens a new one with the same identity and address (Locust's
    /// `reconnect` message): `.disconnected` (if connected), then `.connected` once the new
    /// connection is up. Messages queued before the call go out on the old socket first, which
    /// has 100 ms to send them; messages queued meanwhile are dropped (no connection yet).
    func reconnect() {
        mailbox.requestReconnect()
    }

    /// Sends what is queued (waiting at most `linger` for it to leave), closes the socket and ends
    /// the I/O thread; no event is delivered once the thread has seen the request. Idempotent (the
    /// first call's linger applies); returns once the thread has ended.
    func close(linger: Duration) async {
        mailbox.requestClose(linger: linger)
        await mailbox.waitUntilFinished()
    }
}
