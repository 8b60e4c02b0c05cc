import Foundation
import LocustAPI
import LocustStats
import NIOPosix
import Synchronization

/// A slave (`--slave`, `--worker`): connects to its master, runs the users it is told to, reports
/// statistics deltas every 3 s and heartbeats every second, and keeps trying to reach a lost master
/// until `--master-timeout` runs out.
public final class SlaveRunner: ClusterConnectionDelegate {
    struct State {
        var connection: ClusterConnection?
        var accepted = false
        var lastContact = ContinuousClock.now
        var lostSince: ContinuousClock.Instant?
        var runState = RunState.ready
        var usage = ProcessUsage()
    }

    private let plugin: LoadedPlugin
    private let classes: [UserClass]
    private let settings: RunSettings
    private let cluster: ClusterSettings
    private let logger: RunLogger
    private let stats = RequestStats()
    /// Everything this slave recorded, for `--print-stats` (`stats` is reset at every report).
    private let reported = RequestStats()
    private let console = ConsoleReport(nameWidth: TerminalSize.statsNameWidth)
    private let spawner: UserSpawner
    private let slaveID: String
    private let state = Mutex<State>(State())
    private let finished = StopSignal()
    private let exitCode = Mutex<Int32>(0)
    /// Held from taking a statistics delta until it is queued on the connection (and, for the last one,
    /// `stopped` after it): the periodic report and the last one come from different tasks, and a delta
    /// taken first but queued after `stopped` would reach a master that has already written its summary.
    private let reporting = Mutex<Void>(())
    private let lag: EngineLagMonitor
    private let inbox: AsyncStream<ClusterMessage>
    private let inboxWriter: AsyncStream<ClusterMessage>.Continuation

    /// Creates a slave for a loaded plugin.
    public init(plugin: LoadedPlugin, settings: RunSettings, cluster: ClusterSettings, logger: RunLogger) {
        self.plugin = plugin
        self.classes = plugin.userClasses
        self.settings = settings
        self.cluster = cluster
        self.logger = logger.named("locust.runners")
        self.lag = EngineLagMonitor(logger: logger.named("locust.runners"))
        let hostname = ProcessInfo.processInfo.hostName
        slaveID = "\(hostname)_\(String(UInt64.random(in: 0...UInt64.max), radix: 16))"
        let recorder = StatsRecorder(stats: stats, logger: logger.named("locust.user.task"), node: slaveID)
        spawner = UserSpawner(
            classes: plugin.userClasses, host: settings.host, engine: .shared, recorder: recorder, logger: logger,
            httpOverride: settings.httpOverride)
        (inbox, inboxWriter) = AsyncStream.makeStream(of: ClusterMessage.self)
    }

    /// Runs until the master says quit, refuses this slave, or stays out of reach; returns the exit code.
    public func run() async -> Int32 {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let trap = SignalTrap { [self] name in
            logger.info("Received \(name), shutting down")
            finish(code: 0, reason: name)
        }
        logger.startForwarding()
        logger.info("Starting SwiftLocust \(LocustABI.productVersion)")
        logger.info("Starting slave \(slaveID), master at \(cluster.masterHost):\(cluster.masterPort)")
        guard await connect(group: group, giveUpAfter: cluster.masterTimeout) else {
            logger.error("Could not reach the master at \(cluster.masterHost):\(cluster.masterPort) within \(PythonStyle.number(cluster.masterTimeout)) s")
            try? await group.shutdownGracefully()
            return 1
        }
        let processor = Task { await processOrders() }
        let ticker = Task { await tick(group: group) }
        _ = await finished.wait()
        ticker.cancel()
        inboxWriter.finish()
        await processor.value
        await spawner.stopAll(timeout: 0)
        let connection = state.withLock { $0.connection }
        if let connection {
            sendStats(on: connection)
            connection.send(.quit, thenClose: true)
        }
        try? await Task.sleep(for: .milliseconds(50))
        try? await group.shutdownGracefully()
        _ = trap
        return exitCode.withLock { $0 }
    }

    private func finish(code: Int32, reason: String) {
        exitCode.withLock { $0 = code }
        finished.fire(reason)
    }

    private func connect(group: MultiThreadedEventLoopGroup, giveUpAfter seconds: Double) async -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
        var attempt = 0
        while !finished.isFired {
            do {
                try await CoordinatorClient.connect(host: cluster.masterHost, port: cluster.masterPort, group: group, delegate: self)
                return true
            } catch {
                attempt += 1
                if attempt == 1 { logger.warning(
                        "Cannot reach the master at \(cluster.masterHost):\(cluster.masterPort) yet (\(ConnectionErrorText.describe(error))); retrying every second") }
                if ContinuousClock.now >= deadline { return false }
                try? await Task.sleep(for: .seconds(1))
            }
        }
        return false
    }

    // MARK: Orders, in the order they came

    private func processOrders() async {
        for await message in inbox {
            switch message {
            case .hatch(let hatch):
                let ticket = await spawner.newTicket()
                await spawner.setHost(hatch.host)
                await spawner.setEqualTaskWeights(settings.equalWeights || hatch.equalTaskWeights == true)
                let target = classes.map { hatch.counts[$0.name] ?? 0 }
                state.withLock { $0.runState = .spawning }
                send(.hatching)
                let spawner = self.spawner
                let logger = self.logger
                let names = classes.map(\.name)
                Task {
                    if await spawner.spawn(target: target, rate: hatch.rate, ticket: ticket) {
                        let counts = await spawner.countsByClass
                        let parts = names.filter { (counts[$0] ?? 0) > 0 }.map { "\"\($0)\": \(counts[$0] ?? 0)" }
                            .joined(separator: ", ")
                        logger.info("All users spawned: {\(parts)} (\(counts.values.reduce(0, +)) total users)")
                        self.state.withLock { $0.runState = .running }
                        self.send(.hatchComplete(counts: counts))
                    }
                }
            case .stop(let stopTimeout):
                _ = await spawner.newTicket()
                state.withLock { $0.runState = .stopping }
                await spawner.stopAll(timeout: stopTimeout)
                state.withLock { $0.runState = .stopped }
                // The last delta goes before 'stopped', so the master's summary has everything.
                if let connection = state.withLock({ $0.connection }) {
                    sendStats(on: connection, then: .stopped)
                } else {
                    send(.stopped)
                }
            default:
                break
            }
        }
    }

    // MARK: Timers

    private func tick(group: MultiThreadedEventLoopGroup) async {
        var seconds = 0
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(ClusterProtocol.heartbeatInterval))
            if Task.isCancelled { return }
            seconds += 1
            let (connection, silentFor, lostSince, runState, usage) = state.withLock {
                ($0.connection, ContinuousClock.now - $0.lastContact, $0.lostSince, $0.runState, $0.usage.sample())
            }
            if let connection {
                connection.send(.heartbeat(.init(
                    state: runState.locustName, userCount: spawner.aliveCount, cpuUsage: usage.cpuPercent,
                    memoryUsage: usage.residentBytes, lagMilliseconds: lag.check())))
                let lines = logger.takeUnsentLines()
                if !lines.isEmpty { connection.send(.logs(lines)) }
                if seconds % Int(ClusterProtocol.statsInterval) == 0 { sendStats(on: connection) }
                if settings.slavePrintsTable && seconds % 2 == 0 { printTable() }
                if silentFor > .milliseconds(Int64(cluster.masterTimeout * 1000)) {
                    logger.error("No word from the master for \(PythonStyle.number(cluster.masterTimeout)) s: stopping users and exiting")
                    finish(code: 1, reason: "master silent")
                    return
                }
            } else if let lostSince {
                if ContinuousClock.now - lostSince > .milliseconds(Int64(cluster.masterTimeout * 1000)) {
                    logger.error("Could not reconnect to the master within \(PythonStyle.number(cluster.masterTimeout)) s: exiting")
                    finish(code: 1, reason: "master lost")
                    return
                }
                do {
                    try await CoordinatorClient.connect(host: cluster.masterHost, port: cluster.masterPort, group: group, delegate: self)
                    logger.info("Reconnected to the master")
                } catch {
                    logger.debug("Reconnect failed: \(ConnectionErrorText.describe(error))")
                }
            }
        }
    }

    private func sendStats(on connection: ClusterConnection, then next: ClusterMessage? = nil) {
        reporting.withLock { _ in
            let delta = stats.snapshotAndReset()
            if settings.slavePrintsTable { reported.merge(delta) }
            connection.send(.stats(.init(snapshot: delta, userCount: spawner.aliveCount)))
            if let next { connection.send(next) }
        }
    }

    /// This slave's own table (`--print-stats`): what it reported so far plus what it has not yet sent.
    private func printTable() {
        var view = reported.snapshot()
        view.merge(stats.snapshot())
        StandardOutput.write(console.statsTable(view, current: true))
    }

    private func send(_ message: ClusterMessage) {
        state.withLock { $0.connection }?.send(message)
    }

    // MARK: ClusterConnectionDelegate

    public func connectionOpened(_ connection: ClusterConnection) {
        state.withLock { state in
            state.connection = connection
            state.lastContact = .now
            state.lostSince = nil
        }
        connection.send(.ready(.init(
            version: ClusterProtocol.version, slaveID: slaveID, hostname: ProcessInfo.processInfo.hostName,
            pluginFingerprint: plugin.fingerprint, userClasses: classes.map(\.name))))
    }

    public func connection(_ connection: ClusterConnection, received message: ClusterMessage) {
        state.withLock { $0.lastContact = .now }
        switch message {
        case .accepted(let id):
            state.withLock { $0.accepted = true }
            logger.info("Connected to the master as \(id)")
        case .reject(let reason):
            logger.error("The master refused this slave: \(reason)")
            finish(code: LocustMain.usageExitCode, reason: "refused")
        case .hatch, .stop:
            inboxWriter.yield(message)
        case .heartbeat:
            break
        case .quit:
            logger.info("The master told this slave to quit")
            finish(code: 0, reason: "quit")
        case .ready, .hatching, .hatchComplete, .stats, .stopped, .logs:
            logger.warning("Ignoring '\(message.typeName)' from the master: it is a slave's message")
        }
    }

    public func connectionClosed(_ connection: ClusterConnection, error: (any Error)?) {
        let wasCurrent = state.withLock { state -> Bool in
            guard state.connection === connection else { return false }
            state.connection = nil
            state.accepted = false
            state.lostSince = .now
            // Locust's `cleanup`: the users of a lost master are stopping; `ready` once they have.
            state.runState = .cleanup
            return true
        }
        guard wasCurrent, !finished.isFired else { return }
        logger.warning("Lost the master (\(error.map(ConnectionErrorText.describe) ?? "connection closed")): stopping users, reconnecting for up to \(PythonStyle.number(cluster.masterTimeout)) s")
        let spawner = self.spawner
        Task {
            _ = await spawner.newTicket()
            await spawner.stopAll(timeout: 0)
            self.state.withLock { state in
                if state.runState == .cleanup { state.runState = .ready }
            }
        }
    }
}
