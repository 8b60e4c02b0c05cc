/// What ``ZMQSocketEngine/service(limit:)`` left behind.
enum ZMQServiceState {
    /// Nothing pending: the thread may block in `zmq_poll`.
    case idle
    /// The frame limit was reached with more to do: poll without waiting, then come back.
    case busy
    /// The socket failed for good (`ETERM`).
    case failed(ZMQFailure)
}
