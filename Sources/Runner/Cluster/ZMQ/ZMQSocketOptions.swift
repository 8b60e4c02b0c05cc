/// Socket options shared by both ends of the coordinator's ZeroMQ link (``ZMQRouter`` and
/// ``ZMQDealer``). The defaults follow Locust's sockets (`locust/rpc/zmqrpc.py`) where it sets
/// anything, and bound what it leaves open.
struct ZMQSocketOptions: Sendable {
    /// `ZMQ_MAXMSGSIZE`: a peer sending a larger frame is disconnected by libzmq (its other frames
    /// are never delivered).
    var maxMessageSize: Int = 16 * 1024 * 1024
    /// `ZMQ_HANDSHAKE_IVL`: a connection that has not finished the ZMTP handshake in this time is
    /// dropped (a silent or non-ZMTP peer).
    var handshakeInterval: Duration = .seconds(5)
    /// `ZMQ_SNDHWM`, in messages per peer: beyond it a send is dropped (never blocks).
    var sendHighWaterMark: Int = 10_000
    /// `ZMQ_RCVHWM`, in messages per peer: beyond it libzmq stops reading from that peer.
    var receiveHighWaterMark: Int = 10_000
    /// `ZMQ_TCP_KEEPALIVE_IDLE`, in seconds (keepalive itself is always on, as in Locust).
    var tcpKeepAliveIdle: Int = 30
    /// `ZMQ_RECONNECT_IVL` (dealer): the first wait before reconnecting to a lost master.
    var reconnectInterval: Duration = .milliseconds(100)
    /// `ZMQ_RECONNECT_IVL_MAX` (dealer): the longest wait between reconnection attempts.
    var reconnectIntervalMax: Duration = .seconds(1)

    /// `--cluster-token`'s keys: CURVE on both ends (nil: the NULL mechanism, Locust's).
    var curve: ZMQCurve?

    /// The defaults.
    init() {}
}
