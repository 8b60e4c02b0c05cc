import NIOCore

/// Why a connection's bytes are not frames of the protocol.
public enum ClusterFrameError: Error, CustomStringConvertible {
    case oversized(Int)
    case truncated(Int)
    case malformed(String)

    public var description: String {
        switch self {
        case .oversized(let length): "frame of \(length) bytes exceeds the \(ClusterProtocol.maxFrameLength)-byte limit"
        case .truncated(let bytes): "connection closed in the middle of a frame (\(bytes) bytes left)"
        case .malformed(let reason): "malformed frame: \(reason)"
        }
    }
}

/// Splits a byte stream into frames: a 4-byte big-endian length, then the payload.
public struct FrameDecoder: ByteToMessageDecoder {
    public typealias InboundOut = ByteBuffer

    let maxLength: Int

    /// A decoder that refuses payloads longer than `maxLength` bytes.
    public init(maxLength: Int) { self.maxLength = maxLength }

    public mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let length = buffer.getInteger(at: buffer.readerIndex, as: UInt32.self) else { return .needMoreData }
        guard Int(length) <= maxLength else { throw ClusterFrameError.oversized(Int(length)) }
        guard buffer.readableBytes >= 4 + Int(length) else { return .needMoreData }
        buffer.moveReaderIndex(forwardBy: 4)
        guard let frame = buffer.readSlice(length: Int(length)) else { return .needMoreData }
        context.fireChannelRead(wrapInboundOut(frame))
        return .continue
    }

    public mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        while try decode(context: context, buffer: &buffer) == .continue {}
        if buffer.readableBytes > 0 {
            let left = buffer.readableBytes
            buffer.moveReaderIndex(forwardBy: left)
            throw ClusterFrameError.truncated(left)
        }
        return .needMoreData
    }
}

extension ClusterMessage {
    /// The whole frame for this message: length prefix and JSON payload.
    public func frame(allocator: ByteBufferAllocator) throws -> ByteBuffer {
        let payload = try payload()
        var buffer = allocator.buffer(capacity: payload.count + 4)
        buffer.writeInteger(UInt32(payload.count))
        buffer.writeBytes(payload)
        return buffer
    }
}
