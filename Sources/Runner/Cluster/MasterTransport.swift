/// What the master's coordinator needs of its socket: frames out to a peer, and a close.
/// ``ZMQRouter`` is the real one (Locust's ROUTER socket); the coordinator never sees libzmq.
protocol MasterTransport: Sendable {
    /// Queues `payload` for the peer whose socket identity is `identity` (never blocks).
    func send(_ payload: [UInt8], to identity: [UInt8])
    /// Sends what is queued (at most `linger`), then closes.
    func close(linger: Duration) async
}

extension ZMQRouter: MasterTransport {}
