import NIOCore

// A minimal ZMTP 3.1 client for one DEALER socket with the NULL mechanism (rfc.zeromq.org/spec/37),
// the transport of Locust 2.x's coordinator: the greeting, the READY handshake, then single-frame
// messages. It exists so that thousands of simulated slaves can share a few NIO event loops; the
// runner itself uses libzmq (`ZMQDealer`), which takes one I/O thread per socket.
//
// In a pipeline: `ZMTPGreetingHandler` (sends our greeting when the connection opens), then
// `ByteToMessageHandler(ZMTPDealerDecoder(...))`, which answers the peer's greeting with READY,
// checks the peer's READY and then passes on `ZMTPInbound` values. Outbound, the handler after them
// writes ready-made frames (`ZMTP.messageFrame`) as `ByteBuffer`s.

/// ZMTP 3.1's constants and frame encoding.
enum ZMTP {
    /// Flag bits of a frame's first byte.
    static let more: UInt8 = 0x01
    static let long: UInt8 = 0x02
    static let command: UInt8 = 0x04

    /// Our 64-byte greeting: the signature (`FF`, 8 padding bytes, `7F`; byte 8 is 1 as libzmq writes
    /// it for an empty ZMTP 1.0 identity), version 3.1, mechanism "NULL" padded with zeros to 20
    /// bytes, as-server 0, 31 bytes of filler.
    static let greeting: [UInt8] = {
        var bytes: [UInt8] = [0xFF, 0, 0, 0, 0, 0, 0, 0, 0x01, 0x7F, 3, 1]
        bytes += nullMechanism
        bytes.append(0)
        bytes += [UInt8](repeating: 0, count: 31)
        precondition(bytes.count == 64)
        return bytes
    }()

    static let nullMechanism: [UInt8] = Array("NULL".utf8) + [UInt8](repeating: 0, count: 16)

    /// Checks a peer's greeting: a ZMTP 3.x peer with the NULL mechanism.
    static func check(greeting bytes: [UInt8]) throws(ZMTPError) {
        guard bytes.count == 64, bytes[0] == 0xFF, bytes[9] & 0x01 == 1 else {
            throw .handshake("the peer's greeting has no ZMTP signature")
        }
        guard bytes[10] >= 3 else { throw .handshake("the peer speaks ZMTP \(bytes[10]).\(bytes[11]), not 3.x") }
        guard Array(bytes[12..<32]) == nullMechanism else {
            let name = String(decoding: bytes[12..<32].prefix { $0 != 0 }, as: UTF8.self)
            throw .handshake("the peer's security mechanism is '\(name)', not NULL")
        }
    }

    /// The body of a command: its name (a short string), then `data`.
    static func commandBody(_ name: String, _ data: [UInt8] = []) -> [UInt8] {
        let name = Array(name.utf8)
        return [UInt8(name.count)] + name + data
    }

    /// A READY command's body for a socket of `socketType` with `identity`.
    static func readyBody(socketType: String, identity: [UInt8]) -> [UInt8] {
        var properties: [UInt8] = []
        for (name, value) in [("Socket-Type", Array(socketType.utf8)), ("Identity", identity)] {
            let name = Array(name.utf8)
            properties.append(UInt8(name.count))
            properties += name
            let length = UInt32(value.count)
            properties += [UInt8(length >> 24), UInt8(truncatingIfNeeded: length >> 16), UInt8(truncatingIfNeeded: length >> 8), UInt8(truncatingIfNeeded: length)]
            properties += value
        }
        return commandBody("READY", properties)
    }

    /// The properties (metadata) of a READY command, after its name.
    static func properties(_ bytes: ArraySlice<UInt8>) throws(ZMTPError) -> [String: [UInt8]] {
        var result: [String: [UInt8]] = [:]
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let nameLength = Int(bytes[index])
            index += 1
            guard nameLength > 0, bytes.endIndex - index >= nameLength + 4 else { throw .protocolError("a truncated READY property") }
            let name = String(decoding: bytes[index..<index + nameLength], as: UTF8.self)
            index += nameLength
            let valueLength = bytes[index..<index + 4].reduce(0) { $0 << 8 | Int($1) }
            index += 4
            guard bytes.endIndex - index >= valueLength else { throw .protocolError("a truncated READY property") }
            result[name] = Array(bytes[index..<index + valueLength])
            index += valueLength
        }
        return result
    }

    /// A frame's header: flags, then the size in 1 byte (short) or 8 bytes big-endian (long).
    static func writeHeader(size: Int, isCommand: Bool, into buffer: inout ByteBuffer) {
        let kind = isCommand ? command : 0
        if size <= 255 {
            buffer.writeInteger(kind)
            buffer.writeInteger(UInt8(size))
        } else {
            buffer.writeInteger(kind | long)
            buffer.writeInteger(UInt64(size))
        }
    }

    /// One complete message frame (never MORE) whose body is `parts` one after the other.
    static func messageFrame(_ parts: [UInt8]..., allocator: ByteBufferAllocator) -> ByteBuffer {
        messageFrame(parts: parts, allocator: allocator)
    }

    /// One complete message frame (never MORE) whose body is `parts` one after the other.
    static func messageFrame(parts: [[UInt8]], allocator: ByteBufferAllocator) -> ByteBuffer {
        let size = parts.reduce(0) { $0 + $1.count }
        var buffer = allocator.buffer(capacity: size + 9)
        writeHeader(size: size, isCommand: false, into: &buffer)
        for part in parts { buffer.writeBytes(part) }
        return buffer
    }

    /// One command frame.
    static func commandFrame(_ body: [UInt8], allocator: ByteBufferAllocator) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: body.count + 9)
        writeHeader(size: body.count, isCommand: true, into: &buffer)
        buffer.writeBytes(body)
        return buffer
    }
}

/// Why a ZMTP connection was given up.
enum ZMTPError: Error, CustomStringConvertible {
    /// The greeting or READY exchange failed.
    case handshake(String)
    /// The peer broke the framing rules.
    case protocolError(String)
    /// The peer sent a message larger than allowed.
    case tooLarge(Int)
    /// The peer sent an ERROR command.
    case peerError(String)
    /// The connection closed before the handshake was over.
    case closedDuringHandshake
    /// The handshake took too long.
    case handshakeTimeout

    var description: String {
        switch self {
        case .handshake(let reason): "ZMTP handshake failed: \(reason)"
        case .protocolError(let reason): "ZMTP protocol error: \(reason)"
        case .tooLarge(let size): "ZMTP message of \(size) bytes is over the limit"
        case .peerError(let reason): "the peer sent ZMTP ERROR: \(reason)"
        case .closedDuringHandshake: "the connection closed during the ZMTP handshake"
        case .handshakeTimeout: "the ZMTP handshake timed out"
        }
    }
}

/// What a ZMTP DEALER connection passes on.
enum ZMTPInbound {
    /// The handshake is over (the peer's READY said ROUTER): messages may be sent.
    case handshakeComplete
    /// One single-frame message.
    case message([UInt8])
}

/// Sends our greeting as soon as the connection opens (the first thing on the wire).
final class ZMTPGreetingHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    func channelActive(context: ChannelHandlerContext) {
        context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(bytes: ZMTP.greeting)), promise: nil)
        context.fireChannelActive()
    }
}

/// Reads the peer's greeting, answers with our READY (DEALER, `identity`), checks the peer's READY
/// (ROUTER), then decodes frames: messages are passed on, PING is answered with PONG, other commands
/// are ignored, and a multipart message (which a ROUTER never sends to a DEALER in Locust's protocol)
/// closes the connection.
struct ZMTPDealerDecoder: ByteToMessageDecoder {
    typealias InboundOut = ZMTPInbound

    private enum Stage {
        case greeting
        case awaitingReady
        case open
    }

    private var stage = Stage.greeting
    private let identity: [UInt8]
    private let maxMessageSize: Int

    init(identity: String, maxMessageSize: Int) {
        self.identity = Array(identity.utf8)
        self.maxMessageSize = maxMessageSize
    }

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        if stage == .greeting {
            // Refuse a non-ZMTP peer as soon as its first bytes say so.
            if let first = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self), first != 0xFF {
                throw ZMTPError.handshake("the peer's greeting has no ZMTP signature")
            }
            guard buffer.readableBytes >= 64, let greeting = buffer.readBytes(length: 64) else { return .needMoreData }
            try ZMTP.check(greeting: greeting)
            stage = .awaitingReady
            let ready = ZMTP.commandFrame(ZMTP.readyBody(socketType: "DEALER", identity: identity), allocator: context.channel.allocator)
            context.writeAndFlush(NIOAny(ready), promise: nil)
            return .continue
        }
        guard let flags = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self) else { return .needMoreData }
        guard flags & 0xF8 == 0 else { throw ZMTPError.protocolError("reserved flag bits set (0x\(String(flags, radix: 16)))") }
        let headerSize = flags & ZMTP.long != 0 ? 9 : 2
        guard buffer.readableBytes >= headerSize else { return .needMoreData }
        let size: Int
        if flags & ZMTP.long != 0 {
            let long = buffer.getInteger(at: buffer.readerIndex + 1, as: UInt64.self)!
            guard long <= UInt64(maxMessageSize) else { throw ZMTPError.tooLarge(Int(clamping: long)) }
            size = Int(long)
        } else {
            size = Int(buffer.getInteger(at: buffer.readerIndex + 1, as: UInt8.self)!)
        }
        guard size <= maxMessageSize else { throw ZMTPError.tooLarge(size) }
        guard buffer.readableBytes >= headerSize + size else { return .needMoreData }
        buffer.moveReaderIndex(forwardBy: headerSize)
        let body = buffer.readBytes(length: size)!

        if flags & ZMTP.command != 0 {
            guard flags & ZMTP.more == 0 else { throw ZMTPError.protocolError("a command with the MORE flag") }
            try command(body, context: context)
            return .continue
        }
        guard stage == .open else { throw ZMTPError.handshake("a message before the peer's READY") }
        guard flags & ZMTP.more == 0 else {
            throw ZMTPError.protocolError("a multipart message (a DEALER of Locust's coordinator takes single frames)")
        }
        context.fireChannelRead(wrapInboundOut(.message(body)))
        return .continue
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        while try decode(context: context, buffer: &buffer) == .continue {}
        return .needMoreData
    }

    private mutating func command(_ body: [UInt8], context: ChannelHandlerContext) throws {
        guard let nameLength = body.first.map(Int.init), nameLength > 0, body.count > nameLength else {
            throw ZMTPError.protocolError("a command without a name")
        }
        let name = String(decoding: body[1...nameLength], as: UTF8.self)
        let data = body[(1 + nameLength)...]
        switch name {
        case "READY":
            // A second READY is a peer's bug; ignored.
            guard stage == .awaitingReady else { return }
            let properties = try ZMTP.properties(data)
            let socketType = properties["Socket-Type"].map { String(decoding: $0, as: UTF8.self) }
            guard socketType == "ROUTER" else {
                throw ZMTPError.handshake("the peer is a \(socketType ?? "socket without Socket-Type"), not a ROUTER")
            }
            stage = .open
            context.fireChannelRead(wrapInboundOut(.handshakeComplete))
        case "ERROR":
            let reason = data.first.map { length in String(decoding: data.dropFirst().prefix(Int(length)), as: UTF8.self) } ?? ""
            throw ZMTPError.peerError(reason)
        case "PING":
            // ZMTP 3.1 heartbeat: a 2-byte TTL, then up to 16 bytes of context that PONG echoes.
            // (libzmq sends PING only when ZMQ_HEARTBEAT_IVL is set.)
            guard stage == .open else { return }
            let pong = ZMTP.commandFrame(ZMTP.commandBody("PONG", Array(data.dropFirst(2).prefix(16))), allocator: context.channel.allocator)
            context.writeAndFlush(NIOAny(pong), promise: nil)
        default:
            // PONG, SUBSCRIBE/CANCEL, mechanism commands of no use to a NULL DEALER: ignored.
            return
        }
    }
}
