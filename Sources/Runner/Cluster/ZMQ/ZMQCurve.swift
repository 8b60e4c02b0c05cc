import CZeroMQ
import LocustStats

/// CurveZMQ keys derived from a shared `--cluster-token`, so that only peers with the token can
/// finish the coordinator's handshake, and everything after it is encrypted (libzmq's CURVE
/// mechanism, through libsodium).
///
/// Both key pairs are computed from the token: the master's secret key is SHA-256 of a label and the
/// token, its public key follows from it (`zmq_curve_public`), and the same for the slaves' pair. A
/// slave needs the master's public key to start the handshake, which it can only compute from the
/// token: the token and the secret keys never travel; a peer without them fails the first exchange
/// (its HELLO cannot be opened) and never reaches a message of the test.
struct ZMQCurve: Sendable, Equatable {
    /// The master's key pair (32 bytes each).
    let serverSecret: [UInt8]
    let serverPublic: [UInt8]
    /// The slaves' key pair.
    let clientSecret: [UInt8]
    let clientPublic: [UInt8]

    /// The keys for `token`; nil if libzmq has no CURVE support (built without libsodium).
    init?(token: String) {
        guard zmq_has("curve") == 1 else { return nil }
        let serverSecret = SHA256.digest(Array("swiftlocust cluster v1 master \(token)".utf8))
        let clientSecret = SHA256.digest(Array("swiftlocust cluster v1 slave \(token)".utf8))
        guard let serverPublic = Self.publicKey(serverSecret), let clientPublic = Self.publicKey(clientSecret) else { return nil }
        self.serverSecret = serverSecret
        self.serverPublic = serverPublic
        self.clientSecret = clientSecret
        self.clientPublic = clientPublic
    }

    /// The public key of a 32-byte secret one.
    static func publicKey(_ secret: [UInt8]) -> [UInt8]? {
        var secretText = [CChar](repeating: 0, count: 41)
        var publicText = [CChar](repeating: 0, count: 41)
        var result = [UInt8](repeating: 0, count: 32)
        // Safe: Z85 writes 40 characters and a NUL for 32 bytes, into 41-byte buffers; decoding 40
        // characters writes 32 bytes.
        guard zmq_z85_encode(&secretText, secret, 32) != nil,
            zmq_curve_public(&publicText, secretText) == 0,
            zmq_z85_decode(&result, publicText) != nil
        else { return nil }
        return result
    }

    /// Sets the master's side on `socket` (before it binds).
    func applyServer(to socket: ZMQSocket) throws(ZMQFailure) {
        try socket.set(ZMQ_CURVE_SERVER, 1, "ZMQ_CURVE_SERVER")
        try socket.set(ZMQ_CURVE_SECRETKEY, bytes: serverSecret, "ZMQ_CURVE_SECRETKEY")
    }

    /// Sets a slave's side on `socket` (before it connects).
    func applyClient(to socket: ZMQSocket) throws(ZMQFailure) {
        try socket.set(ZMQ_CURVE_SERVERKEY, bytes: serverPublic, "ZMQ_CURVE_SERVERKEY")
        try socket.set(ZMQ_CURVE_PUBLICKEY, bytes: clientPublic, "ZMQ_CURVE_PUBLICKEY")
        try socket.set(ZMQ_CURVE_SECRETKEY, bytes: clientSecret, "ZMQ_CURVE_SECRETKEY")
    }
}
