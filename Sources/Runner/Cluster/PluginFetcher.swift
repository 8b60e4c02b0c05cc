import Foundation
import LocustStats

/// `locust --slave -f -`: the plugin comes from the master (Locust's `locustfile` message, from a
/// temporary id `host_download_locustfile_<hex>`), over a coordinator that a `--cluster-token` (or
/// mutual TLS) authenticates and encrypts, since this runs code received over the network. The file is checked
/// against its SHA-256 and stored in a private temporary directory, which the slave then loads.
enum PluginFetcher {
    /// What the fetch waits on: the socket's events and, with TLS, the tunnel's.
    private enum Event: Sendable {
        case socket(ZMQDealer.Event)
        case tls(ClusterTLSConnector.Event)
    }

    /// Asks the master for its plugin (again every second, as Locust's workers do) for at most the
    /// master timeout; returns the path of the stored file.
    static func fetch(cluster: ClusterSettings, logger: RunLogger) async throws -> String {
        guard cluster.isAuthenticated else {
            throw RunnerError.badInput(
                "-f - runs the plugin the master sends, code received over the network: give the master and this slave the same --cluster-token, or certificates for mutual TLS (--cluster-tls-cert, --cluster-tls-key and --cluster-tls-ca on both)")
        }
        let hex = String(UInt64.random(in: 0...UInt64.max), radix: 16)
        let identity = "\(ProcessInfo.processInfo.hostName)_download_locustfile_\(hex)"
        let (events, sink) = AsyncStream.makeStream(of: Event.self)
        let connection: SlaveConnection
        do {
            connection = try SlaveConnection.open(
                identity: identity, cluster: cluster, logger: nil, onTLS: { sink.yield(.tls($0)) }, handler: { sink.yield(.socket($0)) })
        } catch {
            throw RunnerError.badInput("cannot connect to the master at \(cluster.masterHost):\(cluster.masterPort): \(error)")
        }
        logger.info("Asking the master at \(cluster.masterHost):\(cluster.masterPort) for its plugin (-f -)")
        let request = ClusterMessageCodec.encode(.pluginRequest(version: ClusterProtocol.locustVersion), nodeID: identity)
        let asker = Task {
            while !Task.isCancelled {
                connection.send(request)
                try? await Task.sleep(for: .seconds(1))
            }
        }
        let deadline = Task {
            try? await Task.sleep(for: .seconds(cluster.masterTimeout))
            sink.finish()
        }
        defer {
            asker.cancel()
            deadline.cancel()
        }
        var failedHandshakes = 0
        var tlsRefusals = 0
        var tunnelDown = false
        var closedEarly = 0
        var outcome: Result<ClusterMessage.PluginFile, RunnerError>?
        for await event in events {
            switch event {
            case .socket(.received(let bytes)):
                guard case .plugin(let file)? = try? ClusterMessageCodec.decode(bytes, direction: .toWorker).0 else { continue }
                outcome = file.error.map { .failure(RunnerError.badInput("the master sends no plugin: \($0)")) } ?? .success(file)
            case .socket(.handshakeFailed):
                guard !tunnelDown else { continue }
                failedHandshakes += 1
                if failedHandshakes >= 3 {
                    outcome = .failure(RunnerError.badInput(
                        "the master at \(cluster.masterHost):\(cluster.masterPort) refused this slave's handshake: its --cluster-token differs from this slave's, or it has none"))
                }
            case .socket(.closedBeforeHandshake):
                guard cluster.tls == nil else { continue }
                closedEarly += 1
                if closedEarly >= SlaveRunner.closedEarlyLimit {
                    // A token master (CURVE) and a TLS master both close a plain slave's connections.
                    let answer = await ZMTPGreetingProbe.probe(host: cluster.masterHost, port: cluster.masterPort)
                    let reason = ZMTPGreetingProbe.closedEarlyReason(closed: closedEarly, slaveHasToken: cluster.token != nil, answer: answer)
                    outcome = .failure(RunnerError.badInput("the master at \(cluster.masterHost):\(cluster.masterPort) \(reason)"))
                }
            case .socket(.connected), .socket(.disconnected):
                continue
            case .tls(.up):
                tunnelDown = false
                tlsRefusals = 0
            case .tls(.unreachable):
                tunnelDown = true
            case .tls(.refused(let reason)):
                tunnelDown = true
                tlsRefusals += 1
                if tlsRefusals >= 3 {
                    outcome = .failure(RunnerError.badInput(
                        "the coordinator's TLS handshake with the master at \(cluster.masterHost):\(cluster.masterPort) failed: \(reason)"))
                }
            }
            if outcome != nil { break }
        }
        await connection.close(linger: .zero)
        switch outcome {
        case .success(let file)?:
            return try store(file, logger: logger)
        case .failure(let error)?:
            throw error
        case nil:
            throw RunnerError.badInput(
                "no plugin from the master at \(cluster.masterHost):\(cluster.masterPort) within \(PythonStyle.number(cluster.masterTimeout)) s (-f -)")
        }
    }

    /// Checks `file` against its fingerprint and writes it, read-only, into a new private directory.
    static func store(_ file: ClusterMessage.PluginFile, logger: RunLogger) throws -> String {
        guard SHA256.hexDigest(bytes: file.contents) == file.fingerprint else {
            throw RunnerError.badInput("the plugin the master sent does not match its SHA-256: refused")
        }
        let name = URL(fileURLWithPath: file.filename).lastPathComponent
        guard !name.isEmpty, name != ".", name != ".." else { throw RunnerError.badInput("the master's plugin has no file name") }
        let path = try PrivateDirectory.make("plugin", for: "the master's plugin") + "/" + name
        // mkdtemp makes the directory 0700; the file is written once, then made read-only.
        guard FileManager.default.createFile(atPath: path, contents: Data(file.contents), attributes: [.posixPermissions: 0o500]) else {
            throw RunnerError.badInput("cannot store the master's plugin in \(path)")
        }
        logger.info("Got the master's plugin \(name) (\(file.contents.count) bytes, SHA-256 \(file.fingerprint.prefix(16))…) in \(path)")
        return path
    }
}
