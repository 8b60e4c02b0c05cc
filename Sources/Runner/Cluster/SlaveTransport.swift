/// What a slave needs of its socket: frames out to the master, a fresh connection, and a close.
/// ``ZMQDealer`` is the real one (Locust's DEALER socket); the slave never sees libzmq.
protocol SlaveTransport: Sendable {
    /// Queues one frame for the master (never blocks; dropped and counted while disconnected).
    func send(_ payload: [UInt8])
    /// Drops the connection and opens a new one with the same identity (Locust's `reconnect`).
    func reconnect()
    /// Sends what is queued (at most `linger`), then closes.
    func close(linger: Duration) async
}

extension ZMQDealer: SlaveTransport {}
