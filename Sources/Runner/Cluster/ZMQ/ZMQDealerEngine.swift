import CZeroMQ

/// The I/O-thread side of a ``ZMQDealer``: turns monitor events and received frames into
/// ``ZMQDealer/Event``s, sends queued frames, and rebuilds the socket on ``reopen()``.
///
/// `.connected` is reported on `ZMQ_EVENT_HANDSHAKE_SUCCEEDED` rather than on the TCP-level
/// `ZMQ_EVENT_CONNECTED`: a peer is only usable once the ZMTP handshake is done (with
/// `ZMQ_IMMEDIATE` a message sent between the two events is dropped, 85% of the time on loopback).
/// `.disconnected` follows a `.connected` only (a connection whose handshake failed was never
/// announced).
///
/// Messages are not queued for a connection that does not exist: while not connected, ``send(_:)``
/// drops and counts them. That is done here rather than with `ZMQ_IMMEDIATE=1`, because in libzmq
/// 4.3.4 an IMMEDIATE dealer whose connection closes throws away the messages it had received and
/// not yet handed over (a master's last words before it closes: lost in 14-27% of trials of a
/// send-100-then-close loop in C; none without IMMEDIATE). Without IMMEDIATE the pipe outlives a
/// connection, so the few messages sent between a loss and its DISCONNECTED event are delivered
/// after the reconnection instead of dropped.
final class ZMQDealerEngine: ZMQSocketEngine {
    /// What the socket is rebuilt from.
    struct Configuration: Sendable {
        /// `ZMQ_ROUTING_ID`, Locust's client id `host_<32 hex>`.
        var identity: [UInt8]
        /// `tcp://host:port`.
        var endpoint: String
        /// Whether `ZMQ_IPV6` is set.
        var ipv6: Bool
        /// The shared options.
        var options: ZMQSocketOptions
    }

    /// How long the old socket may take, on ``reopen()``, to send what it still holds.
    static let reopenLinger: Duration = .milliseconds(100)

    private(set) var socket: ZMQSocket
    private(set) var monitor: ZMQMonitor
    var backlog = ZMQEventBacklog()
    private let configuration: Configuration
    private let mailbox: ZMQMailbox<[UInt8]>
    private let logger: RunLogger?
    private var handler: (@Sendable (ZMQDealer.Event) -> Void)?
    private var connected = false
    private var parts = 0

    /// An engine for `socket` (already connecting) and its `monitor`.
    init(
        socket: ZMQSocket, monitor: ZMQMonitor, configuration: Configuration, mailbox: ZMQMailbox<[UInt8]>,
        logger: RunLogger?, handler: @escaping @Sendable (ZMQDealer.Event) -> Void
    ) {
        self.socket = socket
        self.monitor = monitor
        self.configuration = configuration
        self.mailbox = mailbox
        self.logger = logger
        self.handler = handler
    }

    /// Opens, configures and monitors a DEALER socket and starts connecting it.
    static func open(_ configuration: Configuration) throws(ZMQFailure) -> (ZMQSocket, ZMQMonitor) {
        let socket = try ZMQSocket.open(type: ZMQ_DEALER)
        let monitor: ZMQMonitor
        do throws(ZMQFailure) {
            try socket.applyCommon(configuration.options, ipv6: configuration.ipv6, zapDomain: false)
            try socket.set(ZMQ_ROUTING_ID, bytes: configuration.identity, "ZMQ_ROUTING_ID")
            try socket.set(ZMQ_IMMEDIATE, 0, "ZMQ_IMMEDIATE")
            try configuration.options.curve?.applyClient(to: socket)
            try socket.set(ZMQ_RECONNECT_IVL, configuration.options.reconnectInterval.zmqMilliseconds, "ZMQ_RECONNECT_IVL")
            try socket.set(
                ZMQ_RECONNECT_IVL_MAX, configuration.options.reconnectIntervalMax.zmqMilliseconds, "ZMQ_RECONNECT_IVL_MAX")
            monitor = try ZMQMonitor.attach(
                to: socket,
                events: ZMQ_EVENT_HANDSHAKE_SUCCEEDED | ZMQ_EVENT_DISCONNECTED | ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL
                    | ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL | ZMQ_EVENT_HANDSHAKE_FAILED_AUTH)
        } catch {
            socket.close()
            throw error
        }
        do throws(ZMQFailure) {
            try socket.connect(configuration.endpoint)
        } catch {
            monitor.detach(from: socket)
            socket.close()
            throw error
        }
        return (socket, monitor)
    }

    func mustDrain(before event: ZMQMonitorEvent, followedBy later: ArraySlice<ZMQMonitorEvent>) -> Bool {
        event.event == ZMQ_EVENT_DISCONNECTED && !later.contains { $0.event == ZMQ_EVENT_HANDSHAKE_SUCCEEDED }
    }

    func handle(_ event: ZMQMonitorEvent) {
        switch event.event {
        case ZMQ_EVENT_HANDSHAKE_SUCCEEDED:
            guard !connected else { return }
            connected = true
            handler?(.connected)
        case ZMQ_EVENT_DISCONNECTED:
            guard connected else { return handler?(.closedBeforeHandshake) ?? () }
            connected = false
            handler?(.disconnected)
        case ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL where configuration.options.curve == nil:
            // The NULL mechanism has nothing to refuse: the master closed the connection (one
            // that expects TLS does), and the DISCONNECTED that follows says so.
            logger?.debug("ZeroMQ \(event.name) with \(event.endpoint) (code \(event.value))")
        case ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL, ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL,
            ZMQ_EVENT_HANDSHAKE_FAILED_AUTH:
            logger?.debug("ZeroMQ \(event.name) with \(event.endpoint) (code \(event.value))")
            handler?(.handshakeFailed(event.name))
        default:
            break
        }
    }

    var wantsDeclaredIdentity: Bool { false }

    func take(_ frame: ZMQFrame) {
        if frame.more || parts > 0 {
            // A ROUTER sends a DEALER single frames; a multi-part message is dropped whole.
            parts = frame.more ? parts + 1 : 0
            if !frame.more { logger?.debug("ZeroMQ: dropped a multi-part message from the master") }
        } else {
            handler?(.received(frame.bytes))
        }
    }

    func send(_ item: [UInt8]) {
        guard connected else {
            mailbox.dropped.add(1, ordering: .relaxed)
            return
        }
        let rc = socket.send(item, flags: ZMQ_DONTWAIT)
        guard rc != 0 else { return }
        mailbox.dropped.add(1, ordering: .relaxed)
        if rc != EAGAIN {
            logger?.debug("ZeroMQ: dropped a message to the master: \(ZMQFailure(operation: "zmq_send", code: rc))")
        }
    }

    func reopen() -> Bool {
        let linger = linger(forClose: Self.reopenLinger)
        if connected {
            connected = false
            handler?(.disconnected)
        }
        parts = 0
        backlog = ZMQEventBacklog()
        ZMQIOThread.close(socket: socket, monitor: monitor, linger: linger, logger: logger)
        do throws(ZMQFailure) {
            (socket, monitor) = try Self.open(configuration)
            return true
        } catch {
            logger?.error("ZeroMQ: cannot reconnect to \(configuration.endpoint): \(error)")
            return false
        }
    }

    func linger(forClose requested: Duration) -> Duration {
        // Without a connection nothing of ours is queued (send drops), but libzmq would still wait
        // for the pending handshake to pull its (empty) pipe.
        connected ? requested : .zero
    }

    func didClose() {
        connected = false
        handler = nil
    }
}
