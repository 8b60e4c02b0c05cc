/// A slave's connection to its master: the DEALER socket, and with coordinator TLS the
/// ``ClusterTLSConnector`` it connects through. Used by the slave and by `-f -`'s plugin fetch.
struct SlaveConnection: Sendable {
    let dealer: ZMQDealer
    let tls: ClusterTLSConnector?

    /// Connects as `identity` to the master of `cluster`; the connector's events (TLS only) go to
    /// `onTLS`, the socket's to `handler`.
    ///
    /// - Throws: `RunnerError.badInput` naming what failed.
    static func open(
        identity: String, cluster: ClusterSettings, logger: RunLogger?,
        onTLS: @escaping @Sendable (ClusterTLSConnector.Event) -> Void,
        handler: @escaping @Sendable (ZMQDealer.Event) -> Void
    ) throws -> SlaveConnection {
        let connector = try cluster.tls.map {
            try ClusterTLSConnector(masterHost: cluster.masterHost, masterPort: cluster.masterPort, settings: $0, onEvent: onTLS)
        }
        do {
            let dealer = try ZMQDealer(
                identity: identity, host: cluster.masterHost, port: cluster.masterPort, ipcPath: connector?.path,
                options: MasterCoordinator.socketOptions(token: cluster.token), logger: logger, handler: handler)
            return SlaveConnection(dealer: dealer, tls: connector)
        } catch {
            if let connector { Task { await connector.close() } }
            throw error
        }
    }

    /// Closes the socket (waiting at most `linger` for what it still holds to leave), then the connector.
    func close(linger: Duration) async {
        await dealer.close(linger: linger)
        await tls?.close()
    }
}

extension SlaveConnection: SlaveTransport {
    func send(_ payload: [UInt8]) {
        dealer.send(payload)
    }

    func reconnect() {
        dealer.reconnect()
    }
}
