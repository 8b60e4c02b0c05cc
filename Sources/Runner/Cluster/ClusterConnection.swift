import Foundation
import NIOCore
import Synchronization

/// What happens on coordinator connections, told to the master or the slave.
public protocol ClusterConnectionDelegate: Sendable {
    /// A connection was opened.
    func connectionOpened(_ connection: ClusterConnection)
    /// A message arrived.
    func connection(_ connection: ClusterConnection, received message: ClusterMessage)
    /// The connection closed; `error` says why when it was not a clean close.
    func connectionClosed(_ connection: ClusterConnection, error: (any Error)?)
}

/// One coordinator connection: sends messages as frames, remembers who is at the other end.
public final class ClusterConnection: Sendable, Hashable {
    let channel: any Channel
    /// The peer's address, for log lines.
    public let peer: String
    private let identity = Mutex<String?>(nil)

    init(channel: any Channel) {
        self.channel = channel
        self.peer = channel.remoteAddress.map { "\($0)" } ?? "unknown peer"
    }

    /// The slave id once `ready` was accepted.
    public var slaveID: String? {
        get { identity.withLock { $0 } }
        set { identity.withLock { $0 = newValue } }
    }

    /// Sends a message (thread-safe, never blocks); failures surface as a closed connection.
    public func send(_ message: ClusterMessage) {
        do {
            let frame = try message.frame(allocator: channel.allocator)
            channel.writeAndFlush(frame, promise: nil)
        } catch {
            channel.close(promise: nil)
        }
    }

    /// Sends a message, then closes the connection once it is written.
    public func send(_ message: ClusterMessage, thenClose: Bool) {
        guard thenClose else { return send(message) }
        guard let frame = try? message.frame(allocator: channel.allocator) else {
            channel.close(promise: nil)
            return
        }
        let channel = self.channel
        channel.writeAndFlush(frame).whenComplete { _ in channel.close(promise: nil) }
    }

    /// Sends a message, then closes; returns once closed, or after `limit`.
    public func sendAndClose(_ message: ClusterMessage, within limit: Duration) async {
        guard let frame = try? message.frame(allocator: channel.allocator) else {
            try? await channel.close()
            return
        }
        let channel = self.channel
        let written = channel.eventLoop.makePromise(of: Void.self)
        channel.writeAndFlush(frame, promise: written)
        let timeout = channel.eventLoop.scheduleTask(in: .milliseconds(Int64(limit.components.seconds * 1000))) {
            channel.close(promise: nil)
        }
        _ = try? await written.futureResult.get()
        timeout.cancel()
        try? await channel.close()
    }

    /// Closes the connection.
    public func close() {
        channel.close(promise: nil)
    }

    public static func == (lhs: ClusterConnection, rhs: ClusterConnection) -> Bool { lhs === rhs }
    public func hash(into hasher: inout Hasher) { hasher.combine(ObjectIdentifier(self)) }
}

/// Decodes frames into messages for a delegate; closes the connection on any protocol error and, on
/// the master, when a new connection does not say `ready` in time.
final class ClusterConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let delegate: any ClusterConnectionDelegate
    private let readyTimeout: Double?
    private var connection: ClusterConnection?
    private var closeError: (any Error)?
    private var spoke = false

    init(delegate: any ClusterConnectionDelegate, readyTimeout: Double?) {
        self.delegate = delegate
        self.readyTimeout = readyTimeout
    }

    func channelActive(context: ChannelHandlerContext) {
        let connection = ClusterConnection(channel: context.channel)
        self.connection = connection
        delegate.connectionOpened(connection)
        if let readyTimeout {
            let channel = context.channel
            let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
            context.eventLoop.scheduleTask(in: .milliseconds(Int64(readyTimeout * 1000))) {
                let handler = loopBound.value
                if !handler.spoke {
                    handler.closeError = ClusterFrameError.malformed("no 'ready' within \(Int(readyTimeout)) s")
                    channel.close(promise: nil)
                }
            }
        }
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        guard let connection else { return }
        let bytes = buffer.readBytes(length: buffer.readableBytes) ?? []
        let message: ClusterMessage
        do {
            message = try ClusterMessage.decode(Data(bytes))
        } catch {
            closeError = ClusterFrameError.malformed(Self.reason(error))
            context.close(promise: nil)
            return
        }
        spoke = true
        delegate.connection(connection, received: message)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if closeError == nil { closeError = error }
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        if let connection { delegate.connectionClosed(connection, error: closeError) }
        context.fireChannelInactive()
    }

    static func reason(_ error: any Error) -> String {
        switch error {
        case DecodingError.dataCorrupted(let context): return context.debugDescription
        case DecodingError.keyNotFound(let key, _): return "missing field '\(key.stringValue)'"
        case DecodingError.typeMismatch(_, let context): return "wrong type at \(context.codingPath.map(\.stringValue).joined(separator: "."))"
        case DecodingError.valueNotFound(_, let context): return "missing value at \(context.codingPath.map(\.stringValue).joined(separator: "."))"
        default: return "not JSON"
        }
    }
}
