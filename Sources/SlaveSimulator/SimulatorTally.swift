import Synchronization

/// What all simulated slaves did, counted without locks.
final class SimulatorTally: Sendable {
    let connected = Atomic<Int>(0)
    let connectFailures = Atomic<Int>(0)
    /// Slaves whose `client_ready` the master acknowledged (`ack`), less those it then rejected.
    let accepted = Atomic<Int>(0)
    let rejected = Atomic<Int>(0)
    let spawnOrders = Atomic<Int>(0)
    let spawnCompletes = Atomic<Int>(0)
    let stopOrders = Atomic<Int>(0)
    /// `client_stopped` messages sent.
    let stoppedSent = Atomic<Int>(0)
    let statsSent = Atomic<Int>(0)
    let samples = Atomic<Int>(0)
    let heartbeatsSent = Atomic<Int>(0)
    let masterHeartbeats = Atomic<Int>(0)
    let quits = Atomic<Int>(0)
    let closedWithoutQuit = Atomic<Int>(0)
    /// Slaves that are done: told to quit, closed, or never connected.
    let finished = Atomic<Int>(0)
    /// Payload size (the MessagePack bytes, without the ZMTP header) of the last stats frame of slave
    /// 0 (for the report).
    let statsFrameBytes = Atomic<Int>(0)
    let largestStatsFrameBytes = Atomic<Int>(0)

    func add(_ counter: borrowing Atomic<Int>, _ amount: Int = 1) {
        counter.wrappingAdd(amount, ordering: .relaxed)
    }

    func value(_ counter: borrowing Atomic<Int>) -> Int { counter.load(ordering: .relaxed) }
}
