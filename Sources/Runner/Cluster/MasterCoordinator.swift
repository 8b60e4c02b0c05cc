import Foundation
@_spi(Runner) import LocustAPI
import LocustStats
import MessagePack
import Synchronization

/// The master's side of the coordinator: a ``MasterStateMachine`` behind a lock, fed by the ROUTER
/// socket (``ZMQRouter``) and the controller, whose commands it carries out (frames out, statistics
/// merged, log lines, events). It simulates no users.
public final class MasterCoordinator: ClusterCoordinating {
    /// What the coordinator tells its controller.
    public enum Event: Sendable, Equatable {
        /// Slaves joined, left, went missing or came back: this many are active now, and this many
        /// are missing (silent for 3 heartbeats, not yet forgotten).
        case slavesChanged(active: Int, missing: Int = 0)
        /// Every active slave reached its share of the target; this many users in all.
        case spawningComplete(users: Int)
        /// A slave's test_start hook threw (where, and its message): the test stops.
        case hookFailed(String)
    }

    /// The merged statistics of all slaves.
    public let stats: RequestStats
    private let logger: RunLogger
    private let machine: Mutex<MasterStateMachine>
    private let router = Mutex<(any MasterTransport)?>(nil)
    private let eventHandler = Mutex<(@Sendable (Event) -> Void)?>(nil)
    private let stopSignal = Mutex<StopSignal?>(nil)
    private let goneSignal = StopSignal()
    /// The plugin file, sent to `-f -` slaves (with a token only).
    private let pluginPath: String?
    private let handshakeLog = Mutex<(last: ContinuousClock.Instant?, suppressed: Int)>((nil, 0))
    /// Peers authenticate (a token, or a CA that signs every slave's certificate).
    private let hasTokenFlag = Atomic<Bool>(false)
    private let tlsListener = Mutex<ClusterTLSListener?>(nil)
    private var hasToken: Bool { hasTokenFlag.load(ordering: .relaxed) }

    /// Creates a coordinator for `classes` (the plugin's, in order) of a plugin with `fingerprint`;
    /// its slaves' users pick their tasks with equal weights when `equalTaskWeights` (`--equal-weights`)
    /// and run only the tasks that `tags` and `excludeTags` (`-T`, `-E`) leave.
    init(
        classes: [UserClass], fingerprint: String, host: String?, stats: RequestStats, logger: RunLogger,
        equalTaskWeights: Bool = false, stopTimeout: Double = 0, tags: [String]? = nil, excludeTags: [String]? = nil,
        pluginPath: String? = nil
    ) {
        self.pluginPath = pluginPath
        self.stats = stats
        self.logger = logger
        let runID = String(UInt64.random(in: 0...UInt64.max), radix: 16)
        machine = Mutex(MasterStateMachine(configuration: .init(
            classes: classes.map { .init(name: $0.name, weight: $0.weight, fixedCount: $0.fixedCount) }, pluginFingerprint: fingerprint,
            equalTaskWeights: equalTaskWeights, tags: tags, excludeTags: excludeTags, runID: runID, host: host, stopTimeout: stopTimeout)))
    }

    /// Binds the coordinator's ROUTER socket on `host:port` (0: a random port); returns the port.
    /// With `tls`, the ROUTER listens on a Unix domain socket in a private directory and a
    /// ``ClusterTLSListener`` on `host:port` carries each slave to it.
    func listen(host: String, port: Int, token: String? = nil, tls: ClusterTLSSettings? = nil) throws -> Int {
        hasTokenFlag.store(token != nil || tls?.trustRoots != nil, ordering: .relaxed)
        let options = Self.socketOptions(token: token)
        let handler: @Sendable (ZMQRouter.Event) -> Void = { [weak self] event in self?.socketEvent(event) }
        guard let tls else {
            let router = try ZMQRouter(host: host, port: port, options: options, logger: logger, handler: handler)
            self.router.withLock { $0 = router }
            return router.port
        }
        let directory = try PrivateDirectory.make("coordinator", for: "the coordinator's socket")
        let router: ZMQRouter
        do {
            router = try ZMQRouter(ipcPath: ClusterTLSListener.routerPath(in: directory), options: options, logger: logger, handler: handler)
        } catch {
            try? FileManager.default.removeItem(atPath: directory)
            throw error
        }
        let listener: ClusterTLSListener
        do {
            listener = try ClusterTLSListener(host: host, port: port, settings: tls, directory: directory) { [weak self] peer, reason in
                self?.handshakeFailed("TLS handshake", reason: "\(reason) (\(peer))")
            }
        } catch {
            Task { await router.close(linger: .zero) }
            throw error
        }
        self.router.withLock { $0 = router }
        tlsListener.withLock { $0 = listener }
        return listener.port
    }

    /// The coordinator's socket options, with CURVE keys derived from `token` when there is one.
    static func socketOptions(token: String?) -> ZMQSocketOptions {
        var options = ZMQSocketOptions()
        options.maxMessageSize = ClusterProtocol.maxMessageToMaster
        options.curve = token.flatMap { ZMQCurve(token: $0) }
        return options
    }

    // MARK: Queries

    /// Slaves admitted and not missing.
    public var activeSlaveCount: Int { machine.withLock { $0.activeSlaveCount } }

    /// The users the live slaves report running.
    public var userCount: Int { machine.withLock { $0.userCount(now: .now) } }

    /// The test's state.
    public var runState: RunState { machine.withLock { $0.runState } }

    /// Each slave as the web UI lists it, by id.
    public var workers: [WorkerStatus] { machine.withLock { $0.workerStatuses(now: .now) } }

    /// Each slave's recent log lines, by id (`GET /logs`).
    public var slaveLogs: [String: [String]] { machine.withLock { $0.slaveLogs } }

    /// The user counts per class that the master has ordered, summed over slaves.
    public var assignedCounts: [String: Int] { machine.withLock { $0.assignedCounts } }

    /// Calls `handler` with every event from now on (one handler; a later call replaces it).
    public func onEvent(_ handler: @escaping @Sendable (Event) -> Void) {
        eventHandler.withLock { $0 = handler }
    }

    // MARK: Orders

    /// Starts (or changes) the test: `users` in total at `rate` users per second, on `host` when
    /// given, of the classes `classNames` (all when nil).
    public func setScenarioOptions(_ options: [String: MessagePackValue]) {
        handle(.scenarioOptions(options))
    }

    public func start(users: Int, rate: Double, host: String? = nil, classNames: [String]? = nil) {
        handle(.start(users: users, rate: rate, host: host, classNames: classNames))
    }

    /// Starts an open-model test: each SwiftLocust slave runs an equal share of `plan` on its own clock.
    public func startArrivals(_ plan: ArrivalPlan, host: String? = nil, classNames: [String]? = nil) {
        handle(.startArrivals(plan, host: host, classNames: classNames))
    }

    /// Stops the test: every slave stops its users and sends its last statistics, then
    /// `client_stopped`. Returns once all answered, or after `stopTimeout` plus a grace of 15 s.
    public func stop(stopTimeout: Double) async {
        let signal = StopSignal()
        stopSignal.withLock { $0 = signal }
        handle(.stop(stopTimeout: stopTimeout))
        let deadline = Task {
            try? await Task.sleep(for: .seconds(saturating: stopTimeout + 15))
            self.handle(.stopDeadlinePassed)
        }
        _ = await signal.wait()
        deadline.cancel()
    }

    /// Sends heartbeats' bookkeeping: marks silent slaves missing, forgets long-missing ones, sends
    /// new orders after changes; call once per heartbeat interval.
    public func tick() {
        handle(.tick)
    }

    /// Tells every slave to quit and waits until they have left (at most 5 s: a peer that does not
    /// close its end is given up on), then closes the socket. Frames still queued when the process
    /// exits would be lost, so this waits for the peers rather than for a linger.
    public func quitAll() async {
        handle(.quit)
        let deadline = Task {
            try? await Task.sleep(for: .seconds(5))
            self.goneSignal.fire("deadline")
        }
        _ = await goneSignal.wait()
        deadline.cancel()
        let router = self.router.withLock { $0 }
        await router?.close(linger: .seconds(1))
        await tlsListener.withLock { $0 }?.close()
    }

    // MARK: Internals

    private func socketEvent(_ event: ZMQRouter.Event) {
        switch event {
        case .connected(let peer):
            logger.debug("Coordinator connection from \(slaveAddress(peer))")
        case .handshakeFailed(let what):
            handshakeFailed(what, reason: nil)
        case .received(let identity, let payload, let peer):
            let peer = slaveAddress(peer)
            do {
                let (message, _) = try ClusterMessageCodec.decode(payload, direction: .toMaster)
                handle(.received(message, identity: identity, peer: peer))
            } catch {
                handle(.malformed(identity: identity, peer: peer, reason: error.description))
            }
        case .malformed(let identity, let peer, let reason):
            handle(.malformed(identity: identity, peer: slaveAddress(peer), reason: reason))
        case .disconnected(let identity, let peer):
            handle(.disconnected(identity: identity, peer: slaveAddress(peer)))
        }
    }

    /// The slave's address for the router's name of a connection: behind TLS, the tunnel's.
    private func slaveAddress(_ routerPeer: String) -> String {
        tlsListener.withLock { $0 }?.peer(ofRouterPeer: routerPeer) ?? routerPeer
    }

    /// Logs a peer dropped at its first exchange: the coordinator's ZMTP handshake (`what`, with a
    /// token) or its TLS handshake (with `reason`). One line per 10 s at most: a peer retrying (or
    /// a scanner) must not flood the log.
    private func handshakeFailed(_ what: String, reason: String?) {
        let now = ContinuousClock.now
        let suppressed = handshakeLog.withLock { state -> Int? in
            if let last = state.last, now - last < .seconds(10) {
                state.suppressed += 1
                return nil
            }
            defer { state = (now, 0) }
            return state.suppressed
        }
        guard let suppressed else { return }
        let more = suppressed > 0 ? " (\(suppressed) more since the last line)" : ""
        if let reason {
            logger.warning("A peer failed the coordinator's \(what) and was dropped: \(reason)\(more)")
        } else {
            logger.warning(
                hasToken
                    ? "A peer failed the coordinator's \(what) and was dropped: it has no --cluster-token or another one (Locust's own workers cannot join a master with a token)\(more)"
                    : "A peer failed the coordinator's \(what) and was dropped: a slave with --cluster-token? this master has none\(more)")
        }
    }

    /// The plugin for a `-f -` slave, or why there is none: code received over the network runs only
    /// between peers that authenticate (a shared token, or mutual TLS).
    private func pluginFile() -> ClusterMessage.PluginFile {
        guard hasToken else {
            return .init(filename: "", contents: [], fingerprint: "",
                error: "this master sends its plugin only with --cluster-token or --cluster-tls-ca (-f - runs code received over the network)")
        }
        guard let pluginPath, let data = FileManager.default.contents(atPath: pluginPath) else {
            return .init(filename: "", contents: [], fingerprint: "", error: "the master cannot read its plugin file")
        }
        let bytes = Array(data)
        guard bytes.count < ClusterProtocol.maxMessageSize - 4096 else {
            return .init(filename: "", contents: [], fingerprint: "", error: "the plugin (\(bytes.count) bytes) is larger than a coordinator message")
        }
        return .init(filename: URL(fileURLWithPath: pluginPath).lastPathComponent, contents: bytes, fingerprint: SHA256.hexDigest(bytes: bytes))
    }

    /// Runs one input through the state machine and carries out its commands, in order.
    func handle(_ input: MasterStateMachine.Input) {
        let router = self.router.withLock { $0 }
        // Frames are queued under the lock, so that two inputs' frames to one slave keep their order.
        let commands = machine.withLock { machine -> [MasterStateMachine.Command] in
            let commands = machine.handle(input, now: .now, wallTime: Date().timeIntervalSince1970)
            for case .send(let message, let identity) in commands {
                router?.send(ClusterMessageCodec.encode(message, nodeID: MasterStateMachine.id(identity)), to: identity)
            }
            return commands
        }
        for command in commands {
            switch command {
            case .send:
                break
            case .servePlugin(let identity):
                router?.send(ClusterMessageCodec.encode(.plugin(pluginFile()), nodeID: MasterStateMachine.id(identity)), to: identity)
            case .merge(let snapshot):
                stats.merge(snapshot)
            case .recordException(let message, let traceback, let node):
                stats.recordException(message: message, location: traceback, node: node)
            case .log(let level, let line):
                switch level {
                case .debug: logger.debug(line)
                case .info: logger.info(line)
                case .warning: logger.warning(line)
                case .error: logger.error(line)
                }
            case .event(let event):
                eventHandler.withLock { $0 }?(event)
            case .allStopped:
                stopSignal.withLock { $0 }?.fire("all stopped")
            case .allGone:
                goneSignal.fire("all gone")
            }
        }
    }
}
