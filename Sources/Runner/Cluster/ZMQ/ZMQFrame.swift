/// One received ZeroMQ frame (a message part).
struct ZMQFrame: Sendable {
    /// Its bytes.
    var bytes: [UInt8]
    /// Whether more parts of the same message follow (`ZMQ_MORE`).
    var more: Bool
    /// The file descriptor of the TCP connection it came on (`ZMQ_SRCFD`), if libzmq knows it
    /// (a router's identity frame, which libzmq makes up, may not carry it).
    var sourceFD: Int32?
    /// The `Identity` its peer declared in the ZMTP handshake, if asked for and known.
    var declaredIdentity: [UInt8]? = nil
}
