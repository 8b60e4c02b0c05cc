/// Bytes of a ZMTP 3.1 DEALER peer (NULL mechanism), for tests that speak to the coordinator port by
/// hand: the greeting, the READY command with an identity, and message frames.
enum ZMTPBytes {
    /// The 64-byte greeting: signature, version 3.1, mechanism NULL, as-server 0.
    static let greeting: [UInt8] = [0xFF, 0, 0, 0, 0, 0, 0, 0, 1, 0x7F, 3, 1] + Array("NULL".utf8)
        + [UInt8](repeating: 0, count: 16) + [0] + [UInt8](repeating: 0, count: 31)

    /// The READY command of a DEALER with `identity`.
    static func ready(identity: String) -> [UInt8] {
        var body: [UInt8] = [5] + Array("READY".utf8)
        for (name, value) in [("Socket-Type", Array("DEALER".utf8)), ("Identity", Array(identity.utf8))] {
            body += [UInt8(name.utf8.count)] + Array(name.utf8)
            body += [UInt8(value.count >> 24 & 0xff), UInt8(value.count >> 16 & 0xff), UInt8(value.count >> 8 & 0xff), UInt8(value.count & 0xff)]
            body += value
        }
        return [0x04, UInt8(body.count)] + body
    }

    /// One message frame holding `payload`.
    static func frame(_ payload: [UInt8]) -> [UInt8] {
        if payload.count < 256 { return [0x00, UInt8(payload.count)] + payload }
        var size: [UInt8] = []
        for shift in stride(from: 56, through: 0, by: -8) { size.append(UInt8(truncatingIfNeeded: payload.count >> shift)) }
        return [0x02] + size + payload
    }
}
