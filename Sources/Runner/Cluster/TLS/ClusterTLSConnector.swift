import Foundation
import NIOCore
import NIOPosix
import NIOSSL

/// A slave's end of the coordinator's TLS: the DEALER socket connects to a Unix domain socket in a
/// private directory (0700), and each connection it makes there is carried to the master over TLS
/// by a ``ClusterTLSClientTunnel`` (the master's certificate checked against `--cluster-tls-ca` and
/// the address or name connected to; this slave's certificate shown when it has one). libzmq's own
/// reconnecting drives it: a tunnel that fails closes the local connection, and libzmq connects
/// again.
final class ClusterTLSConnector: Sendable {
    /// What each tunnel tells the slave, on an event loop.
    enum Event: Sendable, Equatable {
        /// A tunnel is up (TLS done); the ZMTP handshake runs inside it.
        case up
        /// The master's address cannot be reached (no TLS was tried): a passing fault, retried.
        case unreachable(String)
        /// The TLS handshake failed, for this reason (the master's certificate is not trusted, the
        /// master does not speak TLS, or refused this slave's certificate).
        case refused(String)
    }

    /// A tunnel whose TCP connection and TLS handshake are not done by then is given up.
    static let handshakeTimeout: TimeAmount = .seconds(10)

    /// The Unix domain socket the DEALER connects to (`ipc://` + this).
    let path: String
    private let directory: String
    private let channel: any Channel

    /// Makes the private directory and listens in it; tunnels go to `masterHost:masterPort`.
    ///
    /// - Throws: `RunnerError.badInput` naming what failed.
    init(masterHost: String, masterPort: Int, settings: ClusterTLSSettings, onEvent: @escaping @Sendable (Event) -> Void) throws {
        let context: NIOSSLContext
        do {
            context = try NIOSSLContext(configuration: settings.clientConfiguration())
        } catch {
            throw RunnerError.badInput("cannot set up the coordinator's TLS: \(error)")
        }
        directory = try PrivateDirectory.make("coordinator", for: "the coordinator's socket")
        path = directory + "/dealer"
        let host = masterHost.hasPrefix("[") && masterHost.hasSuffix("]") ? String(masterHost.dropFirst().dropLast()) : masterHost
        let target = ClusterTLSClientTunnel.Target(host: host, port: masterPort, context: context, onEvent: onEvent)
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try ClusterTLSClientTunnel.install(on: channel, to: target) }
            }
        do {
            // A blocking wait at start-up only, before anything else runs on this process's loops.
            channel = try bootstrap.bind(unixDomainSocketPath: path).wait()
        } catch {
            try? FileManager.default.removeItem(atPath: directory)
            throw RunnerError.badInput("cannot listen on \(path) for the coordinator's TLS: \(error)")
        }
    }

    /// Stops listening (open tunnels end with their local connection); the directory is removed.
    func close() async {
        try? await channel.close()
        try? FileManager.default.removeItem(atPath: directory)
    }
}
