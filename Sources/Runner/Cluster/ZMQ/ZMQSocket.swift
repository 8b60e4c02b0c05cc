import CZeroMQ
import Glibc

/// One libzmq socket and the few calls made on it.
///
/// libzmq sockets are not thread-safe: a socket is created (and bound or connected) by the thread
/// that builds a ``ZMQRouter`` or ``ZMQDealer``, then handed to that object's I/O thread, which
/// alone uses it from then on (libzmq allows moving a socket to another thread across a full
/// memory barrier; starting the thread is one).
struct ZMQSocket: @unchecked Sendable {  // moved once to its I/O thread, never used by two threads at once.
    /// What a non-blocking receive found.
    enum Received {
        /// One frame.
        case frame(ZMQFrame)
        /// Nothing pending (`EAGAIN`).
        case nothing
        /// A signal interrupted the call (`EINTR`): try again.
        case interrupted
        /// The context was terminated (`ETERM`) or the socket is unusable.
        case failed(ZMQFailure)
    }

    /// The `void *` returned by `zmq_socket`.
    let raw: UnsafeMutableRawPointer

    /// Opens a socket of `type` (`ZMQ_ROUTER`, `ZMQ_DEALER`, `ZMQ_PAIR`) in the shared context.
    static func open(type: Int32) throws(ZMQFailure) -> ZMQSocket {
        let context = try ZMQContext.get()
        guard let raw = zmq_socket(context.raw, type) else { throw ZMQFailure.last("zmq_socket") }
        return ZMQSocket(raw: raw)
    }

    /// Sets an `int` option; `name` is for the error.
    func set(_ option: Int32, _ value: Int32, _ name: String) throws(ZMQFailure) {
        var value = value
        guard zmq_setsockopt(raw, option, &value, MemoryLayout<Int32>.size) == 0 else {
            throw ZMQFailure.last("zmq_setsockopt \(name)")
        }
    }

    /// Sets an `int64_t` option (`ZMQ_MAXMSGSIZE`); `name` is for the error.
    func set(_ option: Int32, int64 value: Int64, _ name: String) throws(ZMQFailure) {
        var value = value
        guard zmq_setsockopt(raw, option, &value, MemoryLayout<Int64>.size) == 0 else {
            throw ZMQFailure.last("zmq_setsockopt \(name)")
        }
    }

    /// Sets a binary option (`ZMQ_ROUTING_ID`, `ZMQ_ZAP_DOMAIN`); `name` is for the error.
    func set(_ option: Int32, bytes: [UInt8], _ name: String) throws(ZMQFailure) {
        // Safe: libzmq copies the option's bytes during the call.
        let rc = bytes.withUnsafeBytes { zmq_setsockopt(raw, option, $0.baseAddress, $0.count) }
        guard rc == 0 else { throw ZMQFailure.last("zmq_setsockopt \(name)") }
    }

    /// Sets the options both ends share (`options`), `ZMQ_IPV6` and `ZMQ_LINGER` 0 (raised by
    /// `close` to the caller's linger).
    ///
    /// A ROUTER (`zapDomain`) also gets a ZAP domain: with no ZAP handler in the process the NULL
    /// mechanism still lets every ZMTP 3 peer in, but libzmq then refuses ZMTP 1.0/2.0 peers, so
    /// bytes that are not a ZMTP 3 greeting close the connection at once instead of being parsed as
    /// ZMTP 1.0 frames (Locust's pyzmq and boomer's gomq both speak ZMTP 3). A DEALER gets none:
    /// libzmq ends such a refusal as a protocol error, after which a connecting socket never
    /// reconnects, so a slave at a master that answers with something else (a TLS alert) would
    /// wait forever instead of retrying and saying why.
    func applyCommon(_ options: ZMQSocketOptions, ipv6: Bool, zapDomain: Bool) throws(ZMQFailure) {
        try set(ZMQ_LINGER, 0, "ZMQ_LINGER")
        try set(ZMQ_TCP_KEEPALIVE, 1, "ZMQ_TCP_KEEPALIVE")
        try set(ZMQ_TCP_KEEPALIVE_IDLE, Int32(clamping: options.tcpKeepAliveIdle), "ZMQ_TCP_KEEPALIVE_IDLE")
        try set(ZMQ_MAXMSGSIZE, int64: Int64(options.maxMessageSize), "ZMQ_MAXMSGSIZE")
        try set(ZMQ_HANDSHAKE_IVL, options.handshakeInterval.zmqMilliseconds, "ZMQ_HANDSHAKE_IVL")
        try set(ZMQ_SNDHWM, Int32(clamping: max(0, options.sendHighWaterMark)), "ZMQ_SNDHWM")
        try set(ZMQ_RCVHWM, Int32(clamping: max(0, options.receiveHighWaterMark)), "ZMQ_RCVHWM")
        try set(ZMQ_IPV6, ipv6 ? 1 : 0, "ZMQ_IPV6")
        if zapDomain { try set(ZMQ_ZAP_DOMAIN, bytes: Array("locust".utf8), "ZMQ_ZAP_DOMAIN") }
    }

    /// Binds `endpoint` (`tcp://host:port`, port 0 for a random one).
    func bind(_ endpoint: String) throws(ZMQFailure) {
        guard zmq_bind(raw, endpoint) == 0 else { throw ZMQFailure.last("zmq_bind \(endpoint)") }
    }

    /// Connects to `endpoint`; libzmq resolves host names and retries by itself afterwards.
    func connect(_ endpoint: String) throws(ZMQFailure) {
        guard zmq_connect(raw, endpoint) == 0 else { throw ZMQFailure.last("zmq_connect \(endpoint)") }
    }

    /// `ZMQ_LAST_ENDPOINT`: the endpoint actually bound, e.g. `tcp://127.0.0.1:54321`.
    func lastEndpoint() -> String? {
        var buffer = [CChar](repeating: 0, count: 1024)
        var size = buffer.count
        guard zmq_getsockopt(raw, ZMQ_LAST_ENDPOINT, &buffer, &size) == 0 else { return nil }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Makes libzmq process the commands its own threads left for this socket (reading
    /// `ZMQ_EVENTS` does, unthrottled), e.g. the attachment of a connection whose handshake just
    /// finished; `zmq_send` alone may skip them for up to a millisecond.
    func processCommands() {
        var events: Int32 = 0
        var size = MemoryLayout<Int32>.size
        _ = zmq_getsockopt(raw, ZMQ_EVENTS, &events, &size)
    }

    /// Sends one frame; returns 0 or the error number (`EAGAIN` when `ZMQ_DONTWAIT` could not queue
    /// it, `EHOSTUNREACH` for a router's unknown identity).
    func send(_ bytes: [UInt8], flags: Int32) -> Int32 {
        while true {
            // Safe: zmq_send copies the bytes into its own message before returning.
            let rc = bytes.withUnsafeBytes { zmq_send(raw, $0.baseAddress, $0.count, flags) }
            if rc >= 0 { return 0 }
            let code = zmq_errno()
            if code != EINTR { return code }
        }
    }

    /// Receives one frame without waiting; with `declaredIdentity`, also the `Identity` property
    /// the sending peer put in its READY command (up to its first zero byte).
    func receive(declaredIdentity: Bool = false) -> Received {
        var message = zmq_msg_t()
        zmq_msg_init(&message)
        defer { zmq_msg_close(&message) }
        let size = zmq_msg_recv(&message, raw, ZMQ_DONTWAIT)
        guard size >= 0 else {
            let code = zmq_errno()
            switch code {
            case EAGAIN: return .nothing
            case EINTR: return .interrupted
            default: return .failed(ZMQFailure(operation: "zmq_msg_recv", code: code))
            }
        }
        let count = zmq_msg_size(&message)
        let bytes: [UInt8]
        if count == 0 {
            bytes = []
        } else if let data = zmq_msg_data(&message) {
            // Safe: the message owns `count` bytes at `data` until zmq_msg_close; they are copied now.
            bytes = Array(UnsafeRawBufferPointer(start: data, count: count))
        } else {
            bytes = []
        }
        let fd = czmq_msg_source_fd(&message)
        var declared: [UInt8]?
        if declaredIdentity, let property = zmq_msg_gets(&message, "Identity") {
            // Safe: a NUL-terminated string owned by the message's metadata, copied now.
            declared = Array(UnsafeBufferPointer(start: property, count: strlen(property))).map { UInt8(bitPattern: $0) }
        }
        return .frame(
            ZMQFrame(bytes: bytes, more: zmq_msg_more(&message) == 1, sourceFD: fd >= 0 ? fd : nil, declaredIdentity: declared))
    }

    /// Closes the socket (libzmq's reaper thread finishes it, sending for at most `ZMQ_LINGER`).
    func close() {
        _ = zmq_close(raw)
    }
}
