import NIOCore
import NIOPosix
import NIOSSL

/// One connection of a slave's DEALER, carried to the master over TLS (see
/// ``ClusterTLSConnector``): what the DEALER sends first is held while the TCP connection and the
/// TLS handshake are made (within the connector's timeout), then the two are joined by a pair of
/// ``TunnelGlueHandler``s. Lives on the local channel's event loop; every method runs there.
final class ClusterTLSClientTunnel {
    /// Where tunnels go, and whom they tell.
    struct Target: Sendable {
        var host: String
        var port: Int
        var context: NIOSSLContext
        var onEvent: @Sendable (ClusterTLSConnector.Event) -> Void
    }

    private enum Phase { case connecting, handshaking, joined, confirmed, ended }

    private let local: any Channel
    private let target: Target
    private var remote: (any Channel)?
    private var localHold: TunnelHoldHandler?
    private var remoteHold: TunnelHoldHandler?
    private var phase = Phase.connecting
    private var timeout: Scheduled<Void>?

    private init(local: any Channel, target: Target) {
        self.local = local
        self.target = target
    }

    /// Starts the tunnel of a new local connection; on its event loop.
    static func install(on local: any Channel, to target: Target) throws {
        let tunnel = ClusterTLSClientTunnel(local: local, target: target)
        let hold = TunnelHoldHandler(limit: ClusterTLSListener.maxEarlyBytes) { signal in tunnel.localEnded(signal) }
        tunnel.localHold = hold
        try local.pipeline.syncOperations.addHandler(hold)
        tunnel.timeout = local.eventLoop.assumeIsolated().scheduleTask(in: ClusterTLSConnector.handshakeTimeout) {
            tunnel.fail(
                tunnel.phase == .connecting ? .unreachable("no connection within 10 s") : .refused("no answer over TLS within 10 s"))
        }
        tunnel.connect()
    }

    private func connect() {
        ClientBootstrap(group: local.eventLoop)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connectTimeout(.seconds(5))
            .connect(host: target.host, port: target.port)
            .assumeIsolated().whenComplete { result in
                switch result {
                case .success(let remote): self.startTLS(on: remote)
                case .failure(let error): self.fail(.unreachable(ConnectionErrorText.describe(error)))
                }
            }
    }

    private func startTLS(on remote: any Channel) {
        guard phase == .connecting else {
            remote.close(promise: nil)
            return
        }
        self.remote = remote
        phase = .handshaking
        let hold = TunnelHoldHandler(limit: ClusterTLSListener.maxEarlyBytes) { signal in self.remoteSignal(signal) }
        remoteHold = hold
        do {
            // An address is checked against the certificate's IP entries (no SNI); a name is sent
            // as SNI and checked against its DNS entries.
            let name = Self.isIPAddress(target.host) ? nil : target.host
            try remote.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: target.context, serverHostname: name))
            try remote.pipeline.syncOperations.addHandler(hold)
        } catch {
            fail(.refused("cannot start TLS: \(error)"))
        }
    }

    private func remoteSignal(_ signal: TunnelHoldHandler.Signal) {
        switch signal {
        case .tlsReady:
            join()
        case .data:
            confirm()
        case .failed(let error):
            fail(.refused(ClusterTLSErrorText.reason(error, localRole: .slave)))
        case .closed:
            // Closed from this side (the DEALER's connection ended): nothing to say.
            guard local.isActive else { return fail(nil) }
            fail(.refused("the master closed the connection during the TLS handshake"))
        case .overflow:
            fail(.refused("the master sent more than \(ClusterTLSListener.maxEarlyBytes / 1024) KiB before the tunnel was up"))
        }
    }

    /// TLS is up: the DEALER's bytes go to the master from now on. What the master sends is held
    /// until its first bytes (its ZMTP greeting): with TLS 1.3 a master refuses a client
    /// certificate only after the client's side of the handshake is done, so until the master
    /// speaks, an alert from it is a refusal of this slave's certificate, not a lost connection.
    private func join() {
        guard phase == .handshaking, let remote, local.isActive else { return fail(nil) }
        let (front, back) = TunnelGlueHandler.matchedPair()
        do {
            try local.pipeline.syncOperations.addHandler(front)
            try remote.pipeline.syncOperations.addHandler(back)
        } catch {
            return fail(.refused("cannot join the tunnel: \(error)"))
        }
        phase = .joined
        localHold?.release()
        localHold = nil
    }

    /// The master spoke through the tunnel: it accepted this slave.
    private func confirm() {
        guard phase == .joined, let hold = remoteHold else { return }
        phase = .confirmed
        timeout?.cancel()
        remoteHold = nil
        target.onEvent(.up)
        hold.release()
    }

    /// The DEALER's connection ended before the tunnel was joined (libzmq gave up on it).
    private func localEnded(_ signal: TunnelHoldHandler.Signal) {
        if case .data = signal { return }
        fail(nil)
    }

    /// Ends a tunnel that is not joined, telling the slave why (`event`) before the local
    /// connection closes, so that the slave knows the cause before libzmq reports the close.
    private func fail(_ event: ClusterTLSConnector.Event?) {
        guard phase != .confirmed && phase != .ended else { return }
        phase = .ended
        timeout?.cancel()
        localHold = nil
        remoteHold = nil
        if let event { target.onEvent(event) }
        remote?.close(promise: nil)
        local.close(promise: nil)
    }

    /// Whether `host` is an IPv4 or IPv6 literal.
    static func isIPAddress(_ host: String) -> Bool {
        (try? SocketAddress(ipAddress: host, port: 0)) != nil
    }
}
