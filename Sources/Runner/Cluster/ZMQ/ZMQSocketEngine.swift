/// What a socket's I/O thread does with its socket, between polls: ``ZMQRouterEngine`` and
/// ``ZMQDealerEngine``. An engine is created on its I/O thread and used only there (not Sendable;
/// its metatype is, so that the generic thread body may name it).
protocol ZMQSocketEngine: AnyObject, SendableMetatype {
    /// One queued outgoing message.
    associatedtype Item: Sendable

    /// The socket polled for input now (the dealer's changes on reconnect).
    var socket: ZMQSocket { get }
    /// Its monitor.
    var monitor: ZMQMonitor { get }
    /// Monitor events read and not handled yet (see ``service(limit:)``).
    var backlog: ZMQEventBacklog { get set }

    /// Whether `event` must wait until the socket has been drained of the messages that arrived
    /// before it: a disconnection, so that a peer's last messages come before its end; `later` are
    /// the events read after it (a new connection there may own the messages still queued).
    func mustDrain(before event: ZMQMonitorEvent, followedBy later: ArraySlice<ZMQMonitorEvent>) -> Bool
    /// Handles one monitor event (may call the user's handler).
    func handle(_ event: ZMQMonitorEvent)
    /// Whether received frames should carry the peer's declared identity (the router's do).
    var wantsDeclaredIdentity: Bool { get }
    /// Takes one received frame; a message is delivered with its last frame.
    func take(_ frame: ZMQFrame)
    /// Sends one queued message with `ZMQ_DONTWAIT` (a message that cannot leave now is dropped).
    func send(_ item: Item)
    /// Replaces the socket by a new one (Locust's `reconnect`); false if that failed, which ends
    /// the thread.
    func reopen() -> Bool
    /// The linger to close with, given the one asked for (the dealer uses 0 when it has no
    /// connection: its pipe would otherwise wait for a handshake that may never come).
    func linger(forClose requested: Duration) -> Duration
    /// The socket was closed; no handler call may follow.
    func didClose()
    /// How long the I/O thread may block in `zmq_poll` (milliseconds, -1: until something happens).
    func pollTimeoutMilliseconds() -> Int
    /// Called after every poll, to act on timeouts.
    func tick()
}

extension ZMQSocketEngine {
    func pollTimeoutMilliseconds() -> Int { -1 }
    func tick() {}
}

extension ZMQSocketEngine {
    /// Handles pending monitor events and receives pending messages, without blocking, at most
    /// `limit` frames.
    ///
    /// The monitor is read again before every frame: libzmq reports a connection (ACCEPTED,
    /// HANDSHAKE_SUCCEEDED) before its first message can exist, so a message is never read before
    /// the event of its connection. A disconnection, on the contrary, is reported after all its
    /// messages are queued, so it is handled only once the socket has been drained (one EAGAIN)
    /// after it was read, unless ``mustDrain(before:followedBy:)`` says otherwise.
    func service(limit: Int) -> ZMQServiceState {
        var frames = 0
        while true {
            let fresh = monitor.readEvents()
            if !fresh.isEmpty { backlog.events += fresh }
            while let event = backlog.events.first,
                backlog.drained > 0 || !mustDrain(before: event, followedBy: backlog.events.dropFirst())
            {
                backlog.events.removeFirst()
                backlog.drained = max(0, backlog.drained - 1)
                handle(event)
            }
            guard frames < limit else { return .busy }
            switch socket.receive(declaredIdentity: wantsDeclaredIdentity) {
            case .frame(let frame):
                frames += 1
                take(frame)
            case .nothing:
                guard !backlog.events.isEmpty else { return .idle }
                backlog.drained = backlog.events.count
            case .interrupted:
                continue
            case .failed(let failure):
                return .failed(failure)
            }
        }
    }
}
