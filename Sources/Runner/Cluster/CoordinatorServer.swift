import NIOCore
import NIOPosix

/// The master's TCP listener: one connection per slave, frames decoded into messages for the
/// coordinator. Connections that misbehave are closed; the others are not disturbed.
public final class CoordinatorServer: Sendable {
    private let group: MultiThreadedEventLoopGroup
    private let channel: any Channel

    /// The port actually bound (useful with port 0).
    public let port: Int

    /// Binds `host:port` and starts accepting.
    public init(host: String, port: Int, delegate: any ClusterConnectionDelegate) throws {
        // Decoding slave reports is the master's main work: one event loop per core.
        let group = MultiThreadedEventLoopGroup(numberOfThreads: System.coreCount)
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                CoordinatorPipeline.install(on: channel, delegate: delegate, readyTimeout: ClusterProtocol.readyTimeout)
            }
        do {
            channel = try bootstrap.bind(host: host, port: port).wait()
        } catch {
            try? group.syncShutdownGracefully()
            throw RunnerError.badInput("cannot listen on \(host):\(port) for slaves: \(error)")
        }
        self.group = group
        self.port = channel.localAddress?.port ?? port
    }

    /// Stops listening and closes every connection.
    public func shutdown() async {
        try? await channel.close()
        try? await group.shutdownGracefully()
    }
}

/// A slave's connection to its master.
public enum CoordinatorClient {
    /// Connects to `host:port`; the connection and its events go to `delegate` (`connectionOpened` first).
    public static func connect(
        host: String, port: Int, group: MultiThreadedEventLoopGroup, delegate: any ClusterConnectionDelegate
    ) async throws {
        let bootstrap = ClientBootstrap(group: group)
            .connectTimeout(.seconds(3))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                CoordinatorPipeline.install(on: channel, delegate: delegate, readyTimeout: nil)
            }
        _ = try await bootstrap.connect(host: host, port: port).get()
    }
}

/// The handlers of every coordinator connection, master's or slave's.
enum CoordinatorPipeline {
    /// Frames, then messages for `delegate`; `readyTimeout` closes peers that stay silent (master side).
    static func install(
        on channel: any Channel, delegate: any ClusterConnectionDelegate, readyTimeout: Double?
    ) -> EventLoopFuture<Void> {
        channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(
                ByteToMessageHandler(FrameDecoder(maxLength: ClusterProtocol.maxFrameLength)))
            try channel.pipeline.syncOperations.addHandler(
                ClusterConnectionHandler(delegate: delegate, readyTimeout: readyTimeout))
        }
    }
}
