import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import Synchronization

/// The master's end of the coordinator's TLS: listens on the coordinator's address, and joins each
/// slave whose TLS handshake succeeded (with `--cluster-tls-ca`, whose certificate that CA signed)
/// to the ROUTER socket, which listens on a Unix domain socket in a private directory (0700: no
/// other user of the machine reaches it, and no connection reaches it without TLS).
///
/// A peer costs little before it proves itself: at most ``maxPendingHandshakes`` handshakes at once
/// (more are closed at once), each within ``handshakeTimeout``, holding at most
/// ``maxEarlyBytes`` of what it sends before its tunnel is up. Each tunnel's end on the router side
/// binds its own path, so that the router names the connection, and ``peer(ofRouterPeer:)`` turns
/// that name back into the slave's address.
final class ClusterTLSListener: Sendable {
    /// Handshakes in progress at most; beyond it a new connection is closed at once.
    static let maxPendingHandshakes = 128
    /// A connection whose TLS handshake is not done by then is closed.
    static let handshakeTimeout: TimeAmount = .seconds(5)
    /// What a peer may send before its tunnel is joined (a ZMTP greeting is 64 bytes).
    static let maxEarlyBytes = 64 * 1024

    /// The TCP port bound (the system's choice when asked for port 0).
    let port: Int
    /// The Unix domain socket the ROUTER binds (`ipc://` + this).
    let routerPath: String
    private let directory: String
    private let channel: any Channel
    private let shared: Shared

    /// State shared by the tunnels, across event loops.
    final class Shared: Sendable {
        let routerPath: String
        let directory: String
        let context: NIOSSLContext
        let onFailure: @Sendable (_ peer: String, _ reason: String) -> Void
        let pending = Atomic<Int>(0)
        let nextPath = Atomic<Int>(0)
        /// The router's name of a tunnel (its end's path) → the slave's address.
        let peers = Mutex<[String: String]>([:])

        init(routerPath: String, directory: String, context: NIOSSLContext, onFailure: @escaping @Sendable (String, String) -> Void) {
            self.routerPath = routerPath
            self.directory = directory
            self.context = context
            self.onFailure = onFailure
        }

        /// Counts a handshake in; false past the limit.
        func beginHandshake() -> Bool {
            if pending.add(1, ordering: .relaxed).newValue <= ClusterTLSListener.maxPendingHandshakes { return true }
            pending.subtract(1, ordering: .relaxed)
            return false
        }

        func endHandshake() {
            pending.subtract(1, ordering: .relaxed)
        }

        /// A new path for a tunnel's end on the router side.
        func makePath() -> String {
            "\(directory)/t\(nextPath.add(1, ordering: .relaxed).newValue)"
        }
    }

    /// Binds `host:port` (host `*` or empty: every interface, dual stack) with the master's TLS
    /// settings, for a ROUTER bound to ``routerPath(in:)`` of `directory` (a ``PrivateDirectory``,
    /// which ``close()`` removes).
    ///
    /// - Throws: `RunnerError.badInput("cannot listen on HOST:PORT for slaves: …")`.
    init(host: String, port: Int, settings: ClusterTLSSettings, directory: String, onFailure: @escaping @Sendable (_ peer: String, _ reason: String) -> Void) throws {
        let context: NIOSSLContext
        do {
            context = try NIOSSLContext(configuration: settings.serverConfiguration())
        } catch {
            throw RunnerError.badInput("cannot use --cluster-tls-cert with --cluster-tls-key: \(error)")
        }
        self.directory = directory
        routerPath = Self.routerPath(in: directory)
        let shared = Shared(routerPath: routerPath, directory: directory, context: context, onFailure: onFailure)
        self.shared = shared
        let bindHost = host.isEmpty || host == "*" ? "::" : host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let peer = ClusterTLSListener.text(of: channel.remoteAddress)
                    guard shared.beginHandshake() else {
                        shared.onFailure(peer, "more than \(ClusterTLSListener.maxPendingHandshakes) TLS handshakes at once")
                        channel.close(promise: nil)
                        return
                    }
                    try ClusterTLSServerTunnel.install(on: channel, peer: peer, shared: shared)
                }
            }
        do {
            // A blocking wait at start-up only, before anything else runs on this process's loops.
            channel = try bootstrap.bind(host: bindHost, port: port).wait()
        } catch {
            try? FileManager.default.removeItem(atPath: directory)
            throw RunnerError.badInput("cannot listen on \(host):\(port) for slaves: \(error)")
        }
        self.port = channel.localAddress?.port ?? port
    }

    /// Where the ROUTER of a listener in `directory` binds.
    static func routerPath(in directory: String) -> String {
        directory + "/router"
    }

    /// The slave's address behind the router's name of a connection; nil for a name that is no
    /// tunnel's.
    func peer(ofRouterPeer name: String) -> String? {
        shared.peers.withLock { $0[name] }
    }

    /// Stops listening and closes the tunnels' listening end; the private directory is removed.
    func close() async {
        try? await channel.close()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// `1.2.3.4:5678` or `[::1]:5678` (an IPv4-mapped IPv6 address as IPv4), as ``ZMQAddress`` names peers.
    static func text(of address: SocketAddress?) -> String {
        guard let address, let ip = address.ipAddress, let port = address.port else { return "an unknown peer" }
        if ip.hasPrefix("::ffff:") && ip.contains(".") { return "\(ip.dropFirst(7)):\(port)" }
        return ip.contains(":") ? "[\(ip)]:\(port)" : "\(ip):\(port)"
    }
}
