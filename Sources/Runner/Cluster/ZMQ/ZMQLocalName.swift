/// Where a ``ZMQRouter`` listens, as its accepted connections' local end reads it: a TCP port, or
/// the path of an `ipc://` (Unix domain) socket, which the coordinator's TLS listener uses behind it.
enum ZMQLocalName: Sendable, Equatable {
    /// A TCP port (the one bound, when port 0 was asked for).
    case port(Int)
    /// The path of a Unix domain socket.
    case path(String)
}
