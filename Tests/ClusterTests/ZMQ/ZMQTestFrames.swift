/// ZMTP 3 framing for tests that play a peer by hand (rfc.zeromq.org/spec/23): the greeting,
/// commands and message frames.
enum ZMQTestFrames {
    /// The flags byte of a frame.
    static let more: UInt8 = 0x01, long: UInt8 = 0x02, command: UInt8 = 0x04

    /// One frame: flags + 1- or 8-byte length + body.
    static func frame(_ body: [UInt8], flags: UInt8 = 0) -> [UInt8] {
        if body.count > 255 {
            return [flags | long] + withUnsafeBytes(of: UInt64(body.count).bigEndian, Array.init) + body
        }
        return [flags, UInt8(body.count)] + body
    }

    /// A READY command's body: `\x05READY` and the properties `Socket-Type` and `Identity`.
    static func ready(socketType: String, identity: [UInt8]) -> [UInt8] {
        var body: [UInt8] = [5] + Array("READY".utf8)
        for (name, value) in [("Socket-Type", Array(socketType.utf8)), ("Identity", identity)] {
            body += [UInt8(name.utf8.count)] + Array(name.utf8)
            body += withUnsafeBytes(of: UInt32(value.count).bigEndian, Array.init) + value
        }
        return body
    }

    /// The properties of a READY command's body; nil if it is not one.
    static func properties(ofReady body: [UInt8]) -> [String: [UInt8]]? {
        guard body.count >= 6, body[0] == 5, Array(body[1..<6]) == Array("READY".utf8) else { return nil }
        var properties: [String: [UInt8]] = [:]
        var index = 6
        while index < body.count {
            let nameLength = Int(body[index])
            index += 1
            guard index + nameLength + 4 <= body.count else { return nil }
            let name = String(decoding: body[index..<index + nameLength], as: UTF8.self)
            index += nameLength
            let valueLength = body[index..<index + 4].reduce(0) { $0 << 8 | Int($1) }
            index += 4
            guard index + valueLength <= body.count else { return nil }
            properties[name] = Array(body[index..<index + valueLength])
            index += valueLength
        }
        return properties
    }

    /// Reads one frame from `connection`: its flags and body.
    static func readFrame(from connection: ZMQRawTCP) throws -> (flags: UInt8, body: [UInt8]) {
        let flags = try connection.read(exactly: 1)[0]
        let length: Int
        if flags & long != 0 {
            length = try connection.read(exactly: 8).reduce(0) { $0 << 8 | Int($1) }
        } else {
            length = Int(try connection.read(exactly: 1)[0])
        }
        return (flags, try connection.read(exactly: length))
    }

    /// Bytes from a hex string.
    static func bytes(hex: String) -> [UInt8] {
        var bytes: [UInt8] = []
        var index = hex.startIndex
        while let next = hex.index(index, offsetBy: 2, limitedBy: hex.endIndex), index < hex.endIndex {
            if let byte = UInt8(hex[index..<next], radix: 16) { bytes.append(byte) }
            index = next
        }
        return bytes
    }
}
