import Dispatch
import NIOCore
import NIOHTTP1
import NIOPosix

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Binds the demo shop to a socket and serves it until SIGINT or SIGTERM.
struct DemoServer: Sendable {
    /// What to bind to and how many threads to use.
    let options: DemoTargetOptions
    /// The routes, shared by every connection.
    let router: DemoRouter

    /// Creates a server with a fresh catalog, session store and request counters.
    init(options: DemoTargetOptions) {
        self.options = options
        self.router = DemoRouter(
            catalog: ShopCatalog(),
            sessions: SessionStore(),
            statistics: RequestStatistics()
        )
    }

    /// Binds, prints the ready line, then blocks until a signal closes the listening socket.
    ///
    /// Shutting the event loops down afterwards also closes any keep-alive connections still open and
    /// cancels delayed (`/slow`) responses that have not been sent yet.
    func run() throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: options.threads)
        let channel: Channel
        do {
            channel = try makeBootstrap(group: group).bind(host: options.host, port: options.port).wait()
        } catch {
            try? group.syncShutdownGracefully()
            throw error
        }

        let signalSources = [SIGINT, SIGTERM].map { signalNumber in
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler { channel.close(promise: nil) }
            source.resume()
            return source
        }

        let port = channel.localAddress?.port ?? options.port
        let host = options.host.contains(":") ? "[\(options.host)]" : options.host
        StandardStream.output.write("demo target listening on http://\(host):\(port)\n")

        try? channel.closeFuture.wait()
        for source in signalSources { source.cancel() }
        try group.syncShutdownGracefully()
    }

    /// A bootstrap whose connections each get NIO's HTTP/1.1 codec (with pipelining support and
    /// protocol-error answers) followed by one `DemoHTTPHandler`.
    private func makeBootstrap(group: MultiThreadedEventLoopGroup) -> ServerBootstrap {
        let router = self.router
        return ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.backlog, value: 1024)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(
                        withPipeliningAssistance: true,
                        withErrorHandling: true
                    )
                    try channel.pipeline.syncOperations.addHandler(DemoHTTPHandler(router: router))
                }
            }
            .childChannelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(ChannelOptions.maxMessagesPerRead, value: 16)
    }
}
