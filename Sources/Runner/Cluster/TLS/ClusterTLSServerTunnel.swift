import Glibc
import NIOCore
import NIOPosix
import NIOSSL

/// One slave's connection on the master, behind ``ClusterTLSListener``: the TLS handshake first
/// (within the listener's timeout, holding at most its early bytes), then a connection to the
/// ROUTER's Unix domain socket from a path of its own, and the two joined by a pair of
/// ``TunnelGlueHandler``s. Lives on its channel's event loop; every method runs there.
final class ClusterTLSServerTunnel {
    private enum Phase { case handshaking, connecting, joined, ended }

    private let channel: any Channel
    private let peer: String
    private let shared: ClusterTLSListener.Shared
    private var phase = Phase.handshaking
    private var timeout: Scheduled<Void>?
    private var hold: TunnelHoldHandler?

    private init(channel: any Channel, peer: String, shared: ClusterTLSListener.Shared) {
        self.channel = channel
        self.peer = peer
        self.shared = shared
    }

    /// Sets up the tunnel of a new connection (`peer` is its address); on the channel's event loop,
    /// with one handshake already counted in.
    static func install(on channel: any Channel, peer: String, shared: ClusterTLSListener.Shared) throws {
        let tunnel = ClusterTLSServerTunnel(channel: channel, peer: peer, shared: shared)
        let hold = TunnelHoldHandler(limit: ClusterTLSListener.maxEarlyBytes) { signal in tunnel.handle(signal) }
        tunnel.hold = hold
        do {
            try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: shared.context))
            try channel.pipeline.syncOperations.addHandler(hold)
        } catch {
            shared.endHandshake()
            throw error
        }
        tunnel.timeout = channel.eventLoop.assumeIsolated().scheduleTask(in: ClusterTLSListener.handshakeTimeout) {
            tunnel.fail("no TLS handshake within \(ClusterTLSListener.handshakeTimeout.nanoseconds / 1_000_000_000) s")
        }
    }

    private func handle(_ signal: TunnelHoldHandler.Signal) {
        switch signal {
        case .tlsReady:
            guard phase == .handshaking else { return }
            phase = .connecting
            shared.endHandshake()
            connectToRouter()
        case .failed(let error):
            fail(ClusterTLSErrorText.reason(error, localRole: .master))
        case .closed:
            fail(phase == .handshaking ? "closed the connection during the TLS handshake" : "closed the connection at once")
        case .data:
            break
        case .overflow:
            fail("sent more than \(ClusterTLSListener.maxEarlyBytes / 1024) KiB before its tunnel was up")
        }
    }

    private func connectToRouter() {
        let path = shared.makePath()
        let address: SocketAddress
        do {
            address = try SocketAddress(unixDomainSocketPath: path)
        } catch {
            return fail("cannot name the tunnel's end \(path): \(error)")
        }
        ClientBootstrap(group: channel.eventLoop).bind(to: address).connect(unixDomainSocketPath: shared.routerPath)
            .assumeIsolated().whenComplete { result in
                switch result {
                case .success(let backend):
                    self.join(backend, path: path)
                case .failure(let error):
                    unlink(path)
                    self.fail("the coordinator's socket refused its tunnel: \(error)")
                }
            }
    }

    private func join(_ backend: any Channel, path: String) {
        let shared = self.shared
        backend.closeFuture.whenComplete { _ in
            unlink(path)
            // The router's DISCONNECTED for this connection comes within moments of the close; its
            // name is kept for a minute, so that its events name the slave's address.
            backend.eventLoop.scheduleTask(in: .seconds(60)) { shared.peers.withLock { $0[path] = nil } }
        }
        guard phase == .connecting, channel.isActive else {
            backend.close(promise: nil)
            return
        }
        timeout?.cancel()
        shared.peers.withLock { $0[path] = peer }
        let (front, back) = TunnelGlueHandler.matchedPair()
        do {
            try backend.pipeline.syncOperations.addHandler(back)
            try channel.pipeline.syncOperations.addHandler(front)
        } catch {
            backend.close(promise: nil)
            return fail("cannot join its tunnel: \(error)")
        }
        phase = .joined
        hold?.release()
        hold = nil
    }

    /// Ends a tunnel that is not joined: tells the listener's owner why, closes the connection.
    private func fail(_ reason: String) {
        guard phase == .handshaking || phase == .connecting else { return }
        if phase == .handshaking { shared.endHandshake() }
        phase = .ended
        timeout?.cancel()
        hold = nil
        shared.onFailure(peer, reason)
        channel.close(promise: nil)
    }
}
