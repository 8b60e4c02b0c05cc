import Testing

/// Every test of the ZeroMQ transport, one at a time: they share the process's libzmq context (one
/// I/O thread), and some deliberately stall it (a peer that never reads, lingering closes), which
/// makes the timing checks of the others fail when they run alongside.
@Suite(.serialized) enum ZMQSocketSuites {}
