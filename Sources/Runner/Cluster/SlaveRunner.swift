import Foundation
@_spi(Runner) import LocustAPI
import LocustStats
import Synchronization

/// A slave (`--slave`, `--worker`): a Locust 2.x worker on the wire (a DEALER socket whose identity is
/// `hostname_<hex>`), so that it joins a SwiftLocust master or a Python Locust master alike. It runs
/// the users it is told to (absolute counts per class; starting paced at a SwiftLocust master's rate,
/// or at once as Locust's workers do; stopping at once), reports statistics deltas every second and
/// heartbeats every second, and keeps trying to reach a lost master until `--master-timeout` runs out.
///
/// Everything it sends goes through one ordered outbox, and a statistics delta is taken when its turn
/// in the outbox comes: so the last delta is always sent before `client_stopped` or `quit`.
public final class SlaveRunner: Sendable {
    struct State {
        var connected = false
        var accepted = false
        /// The master that accepted this slave said it reads only the exact part of reports (a
        /// SwiftLocust master): Locust's part is left out until the next `ack`.
        var masterReadsExactOnly = false
        var everAccepted = false
        var lastContact = ContinuousClock.now
        var disconnectedSince: ContinuousClock.Instant? = .now
        var lastReadySent: ContinuousClock.Instant?
        var runState = RunState.ready
        var usage = ProcessUsage()
        var lastSpawnTimestamp = 0.0
        var test: String?
        var stopTimeout = 0.0
        var warnedUnknownClasses: Set<String> = []
        var warnedEmptyClasses: Set<String> = []
        /// The current test's test_start hook ran (test_stop is due at its end).
        var testStarted = false
        /// The current test's test_start hook threw: its orders are not run.
        var startHookFailed = false
        /// The current test's host and scenario options, for test_stop.
        var testHost: String?
        var testOptions = ScenarioOptions(values: [:])
        /// Handshakes failed in a row (reset by a connection).
        var handshakeFailures = 0
        /// Coordinator TLS: the last tunnel did not come up (its failure was reported; the ZeroMQ
        /// handshake failure that follows is not the master's refusal), and TLS refusals in a row.
        var tunnelDown = false
        var tlsRefusals = 0
        /// Connections the master closed before the ZMTP handshake, in a row (without TLS).
        var closedEarly = 0
        /// The connection is up but the master has said nothing for `masterSilentAfter` (a cut link, a
        /// frozen master): the users were stopped; the next message from the master ends it.
        var masterSilent = false
    }

    /// One entry of the outbox.
    enum Outgoing: Sendable {
        /// A message, sent as it is.
        case message(ClusterMessage)
        /// A statistics delta, taken when its turn comes.
        case stats
    }

    private let plugin: LoadedPlugin
    private let classes: [UserClass]
    private let settings: RunSettings
    private let cluster: ClusterSettings
    /// `-f -`: the plugin came from the master, so a master running another build is fetched again.
    private let fetchedPlugin: Bool
    private let logger: RunLogger
    private let stats = RequestStats()
    /// Everything this slave recorded, for `--print-stats` (`stats` is reset at every report).
    private let reported = RequestStats()
    private let console = ConsoleReport(nameWidth: TerminalSize.statsNameWidth)
    private let spawner: UserSpawner
    private let hooks: TestHookRunner
    /// This slave's node id, Locust's form: `hostname_<32 hex>`.
    let slaveID: String
    private let hostname: String
    private let state = Mutex<State>(State())
    private let finished = StopSignal()
    private let exitCode = Mutex<Int32>(0)
    private let lag: EngineLagMonitor
    private let inbox: AsyncStream<ClusterMessage>
    private let inboxWriter: AsyncStream<ClusterMessage>.Continuation
    private let outbox: AsyncStream<Outgoing>
    private let outboxWriter: AsyncStream<Outgoing>.Continuation
    private let dealer = Mutex<(any SlaveTransport)?>(nil)
    /// At most this many `exception` messages per kind and report (a Locust worker sends one per
    /// occurrence; a task failing in a tight loop would flood the master).
    static let exceptionMessagesPerReport = 20

    /// A master silent this long while the connection stays up (it answers every heartbeat, once a
    /// second) is taken as lost: the users stop, as when the connection closes. The master marks a
    /// slave silent this long missing and gives its users to the others.
    static let masterSilentAfter = Duration.seconds(ClusterProtocol.heartbeatInterval * Double(ClusterProtocol.heartbeatLiveness))

    /// Connections closed by the master before the ZMTP handshake, in a row, after which a slave
    /// without TLS says the master probably expects TLS, and exits.
    static let closedEarlyLimit = 5

    /// The exit code that asks `locust` to start again and fetch the master's plugin (`-f -`).
    static let refetchExitCode: Int32 = 75
    /// Set in the restarted process until the master accepts it, so that refusals do not loop.
    static let refetchedVariable = "LOCUST_PLUGIN_REFETCHED"

    /// Starts this program again with the same arguments (`-f -` fetches the master's new plugin);
    /// returns an exit code only if that fails.
    static func restartForNewPlugin() -> Int32 {
        setenv(refetchedVariable, "1", 1)
        let arguments = CommandLine.arguments
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        // execv returns only on failure; the strings are then freed and the error reported.
        execv("/proc/self/exe", &argv)
        for pointer in argv { free(pointer) }
        LocustMain.printError("cannot start again to fetch the master's new plugin: \(String(cString: strerror(errno)))")
        return 1
    }

    /// Creates a slave for a loaded plugin.
    public init(plugin: LoadedPlugin, settings: RunSettings, cluster: ClusterSettings, logger: RunLogger, fetchedPlugin: Bool = false) {
        self.fetchedPlugin = fetchedPlugin
        self.plugin = plugin
        self.classes = plugin.userClasses
        self.settings = settings
        self.cluster = cluster
        self.logger = logger.named("locust.runners")
        self.lag = EngineLagMonitor(logger: logger.named("locust.runners"))
        hostname = ProcessInfo.processInfo.hostName
        let hex = (0..<2).map { _ in
            let text = String(UInt64.random(in: 0...UInt64.max), radix: 16)
            return String(repeating: "0", count: 16 - text.count) + text
        }.joined()
        slaveID = "\(hostname)_\(hex)"
        let recorder = StatsRecorder(stats: stats, logger: logger.named("locust.user.task"), node: slaveID)
        hooks = TestHookRunner(hooks: plugin.hooks, role: .slave, stats: stats, logger: logger.named("locust.runners"))
        spawner = UserSpawner(
            classes: plugin.userClasses, host: settings.host, engine: .shared, recorder: recorder, logger: logger,
            httpOverride: settings.httpOverride)
        (inbox, inboxWriter) = AsyncStream.makeStream(of: ClusterMessage.self)
        (outbox, outboxWriter) = AsyncStream.makeStream(of: Outgoing.self)
    }

    /// Runs until the master says quit, refuses this slave, or stays out of reach; returns the exit code.
    public func run() async -> Int32 {
        let trap = SignalTrap { [self] name in
            logger.info("Received \(name), shutting down")
            finish(code: 0, reason: name)
        }
        logger.startForwarding()
        logger.info("Starting SwiftLocust \(LocustABI.productVersion)")
        logger.info("Starting slave \(slaveID), master at \(cluster.masterHost):\(cluster.masterPort)")
        do {
            let connection = try SlaveConnection.open(
                identity: slaveID, cluster: cluster, logger: nil,
                onTLS: { [weak self] event in self?.handle(event) },
                handler: { [weak self] event in self?.handle(event) })
            self.dealer.withLock { $0 = connection }
        } catch {
            logger.error("Cannot connect to the master at \(cluster.masterHost):\(cluster.masterPort): \(error)")
            return 1
        }
        let sender = Task { await drainOutbox() }
        let processor = Task { await processOrders() }
        let ticker = Task { await tick() }
        _ = await finished.wait()
        ticker.cancel()
        inboxWriter.finish()
        await processor.value
        await spawner.stopAll(timeout: 0)
        await endTest()
        if state.withLock({ $0.connected }) {
            outboxWriter.yield(.stats)
            outboxWriter.yield(.message(.quit))
        }
        outboxWriter.finish()
        await sender.value
        await dealer.withLock { $0 }?.close(linger: .seconds(2))
        _ = trap
        return exitCode.withLock { $0 }
    }

    private func finish(code: Int32, reason: String) {
        exitCode.withLock { $0 = code }
        finished.fire(reason)
    }

    private func send(_ message: ClusterMessage) {
        outboxWriter.yield(.message(message))
    }

    // MARK: The outbox

    /// Sends the outbox's entries in order; a statistics delta is taken at its turn, and only while
    /// connected (a delta taken while the master is out of reach would be lost: it waits instead).
    private func drainOutbox() async {
        for await item in outbox {
            guard let dealer = dealer.withLock({ $0 }) else { continue }
            switch item {
            case .message(let message):
                dealer.send(ClusterMessageCodec.encode(message, nodeID: slaveID))
            case .stats:
                // Not while the master is silent either: a delta sent into a link that is down would be
                // lost with the connection; kept, it goes with the first report once the master answers.
                let (connected, test, exactOnly) = state.withLock {
                    ($0.accepted && !$0.masterSilent, $0.test, $0.masterReadsExactOnly)
                }
                guard connected else { continue }
                let delta = stats.snapshotAndReset()
                if settings.slavePrintsTable { reported.merge(delta) }
                let counts = await spawner.countsByClass
                let report = ClusterMessage.StatsReport(
                    snapshot: delta, userCount: spawner.aliveCount, userClassesCount: counts, test: test,
                    includesLocustPart: !exactOnly)
                let (frames, dropped) = StatsReportFrames.frames(of: report, nodeID: slaveID)
                for frame in frames { dealer.send(frame) }
                if dropped > 0 {
                    logger.error("\(dropped) requests were left out of a report: an entry of theirs is larger than a coordinator message (\(ClusterProtocol.maxMessageToMaster) bytes)")
                }
                // For a Locust master, which counts exceptions from `exception` messages (one per
                // occurrence); a SwiftLocust master takes them from the snapshot and ignores these.
                for exception in delta.exceptions {
                    for _ in 0..<min(exception.count, Self.exceptionMessagesPerReport) {
                        dealer.send(ClusterMessageCodec.encode(
                            .exception(message: exception.message, traceback: exception.location), nodeID: slaveID))
                    }
                }
            }
        }
    }

    // MARK: Orders, in the order they came

    private func processOrders() async {
        for await message in inbox {
            switch message {
            case .spawn(let spawn):
                let (isNewTest, sameTestAgain) = state.withLock { state -> (Bool, Bool) in
                    let newTest = !state.runState.isActive || (spawn.order != nil && spawn.order?.test != state.test)
                    // A SwiftLocust master's order for the test this slave already ran (a share again
                    // after it was missing or lost the master): what it recorded belongs to that test.
                    let again = newTest && spawn.order != nil && spawn.order?.test == state.test
                    if let order = spawn.order { state.test = order.test }
                    state.stopTimeout = spawn.stopTimeout
                    state.runState = .spawning
                    return (newTest, again)
                }
                if isNewTest {
                    // Locust's workers clear their statistics when a new test starts, then fire test_start.
                    // Not for the same test again: the last delta (the stop's, queued just before this
                    // order) may not be taken yet, and would be lost with the requests it counts.
                    if !sameTestAgain { _ = stats.snapshotAndReset() }
                    stats.enableOpenModel(spawn.order?.arrival != nil)
                    // The master's values of the scenario's options win over this slave's own.
                    let given = ScenarioOptionWire.decode(spawn.options, options: plugin.options)
                    var values = settings.scenarioOptions
                    switch ScenarioOptionParser.checked(given, options: plugin.options) {
                    case .success(let checked): values.merge(checked) { _, master in master }
                    case .failure(let error): logger.warning("The master's scenario options are refused (\(error)): using this slave's own")
                    }
                    let options = ScenarioOptions(values: values)
                    await spawner.setScenarioOptions(options)
                    state.withLock { $0.testOptions = options }
                    let failure = await hooks.testStart(host: spawn.host, options: options)
                    state.withLock { state in
                        state.testStarted = true
                        state.testHost = spawn.host
                        state.startHookFailed = failure != nil
                    }
                    // A SwiftLocust master stops the test; a Locust master only sees the exception.
                    if let failure, spawn.order != nil { send(.hookFailed(message: failure)) }
                }
                if state.withLock({ $0.startHookFailed }) { continue }
                let ticket = await spawner.newTicket()
                await spawner.setHost(spawn.host)
                await spawner.setEqualTaskWeights(settings.equalWeights || spawn.order?.equalTaskWeights == true)
                // The master's -T/-E win over this slave's own, as a Locust worker takes them from its master.
                let filter = spawn.tags != nil || spawn.excludeTags != nil
                    ? TagFilter(tags: spawn.tags.map(Set.init), excludeTags: spawn.excludeTags.map(Set.init)) : settings.tagFilter
                let noTasks = Set(await spawner.setTagFilter(filter)).intersection(spawn.counts.filter { $0.value > 0 }.keys)
                let newlyEmpty = state.withLock { state -> Set<String> in
                    let fresh = noTasks.subtracting(state.warnedEmptyClasses)
                    state.warnedEmptyClasses.formUnion(fresh)
                    return fresh
                }
                for name in newlyEmpty.sorted() { logger.warning(RunSettings.noTasksLeft(name)) }
                let unknown = Set(spawn.counts.filter { $0.value > 0 }.keys).subtracting(classes.map(\.name))
                let newlyUnknown = state.withLock { state -> Set<String> in
                    let fresh = unknown.subtracting(state.warnedUnknownClasses)
                    state.warnedUnknownClasses.formUnion(fresh)
                    return fresh
                }
                if !newlyUnknown.isEmpty {
                    logger.warning(
                        "The master asked for users of \(newlyUnknown.sorted().joined(separator: ", ")), which this plugin does not have (it has \(classes.map(\.name).joined(separator: ", "))): not started")
                }
                if let arrival = spawn.order?.arrival {
                    runArrivals(arrival, classNames: Set(spawn.counts.keys), ticket: ticket)
                    continue
                }
                let target = classes.map { spawn.counts[$0.name] ?? 0 }
                // A SwiftLocust master gives a rate; a Locust master paces with its orders, so each
                // difference starts at once, as its workers do.
                let rate = spawn.order?.rate ?? 0
                let spawner = self.spawner
                let logger = self.logger
                let names = classes.map(\.name)
                Task {
                    if await spawner.spawn(target: target, rate: rate, ticket: ticket) {
                        let counts = await spawner.countsByClass
                        let parts = names.filter { (counts[$0] ?? 0) > 0 }.map { "\"\($0)\": \(counts[$0] ?? 0)" }
                            .joined(separator: ", ")
                        let total = counts.values.reduce(0, +)
                        logger.info("All users spawned: {\(parts)} (\(total) total users)")
                        self.state.withLock { $0.runState = .running }
                        self.send(.spawningComplete(counts: counts, userCount: total))
                    }
                }
            case .stop:
                _ = await spawner.newTicket()
                let stopTimeout = state.withLock { state -> Double in
                    state.runState = .stopping
                    return state.stopTimeout
                }
                await spawner.stopAll(timeout: stopTimeout)
                await endTest()
                state.withLock { $0.runState = .stopped }
                // The last delta goes before 'client_stopped', so the master's summary has everything;
                // then ready for the next test, as Locust's workers say it.
                outboxWriter.yield(.stats)
                send(.clientStopped)
                send(.clientReady(version: ClusterProtocol.locustVersion))
                state.withLock { state in
                    state.lastReadySent = .now
                    state.runState = .ready
                }
            case .updateUserClass(let update):
                await apply(update)
            default:
                break
            }
        }
    }

    /// Runs this slave's share of an open-model test on its own clock (a new share while one runs goes
    /// on with the same instances); the order is reached at once (there are no users to start).
    private func runArrivals(_ arrival: ClusterMessage.ArrivalOrder, classNames: Set<String>, ticket: Int) {
        let weights = classes.map { classNames.contains($0.name) ? $0.weight : 0 }
        let plan = ArrivalPlan(schedule: arrival.schedule, maxConcurrency: arrival.maxConcurrency)
        let rate = arrival.schedule.rate(at: arrival.elapsed) ?? 0
        logger.info(
            "Open model: running a share of \(PythonStyle.number(rate)) iterations/s now, \(PythonStyle.number(arrival.elapsed)) s into the schedule (\(plan.summary))")
        state.withLock { $0.runState = .running }
        send(.spawningComplete(counts: [:], userCount: spawner.aliveCount))
        let spawner = self.spawner
        Task {
            _ = await spawner.runArrivals(plan, weights: weights, ticket: ticket, elapsed: arrival.elapsed)
        }
    }

    /// test_stop, once, if the current test's test_start ran.
    private func endTest() async {
        let (due, host, options) = state.withLock { state -> (Bool, String?, ScenarioOptions) in
            defer {
                state.testStarted = false
                state.startHookFailed = false
            }
            return (state.testStarted, state.testHost, state.testOptions)
        }
        if due { _ = await hooks.testStop(host: host, options: options) }
    }

    /// A user class edited in a Locust master's web UI: its host applies to the users started from now
    /// on (a test's own host still wins, as the spawn's host does on a Locust worker); weight and fixed
    /// count are the master's to deal by (it sends each worker its counts); the task list and any other
    /// attribute cannot be changed in a compiled class. One log line says which is which.
    private func apply(_ update: ClusterMessage.UserClassUpdate) async {
        guard let userClass = classes.first(where: { $0.name == update.className }) else {
            logger.warning(
                "The master edited user class \(update.className), which this plugin does not have (it has \(classes.map(\.name).joined(separator: ", "))): ignored")
            return
        }
        // None or "" (the UI's empty field): back to the class's own host.
        let host = update.host.flatMap { $0.isEmpty ? nil : $0 }
        await spawner.setClassHost(host, for: userClass.name)
        let shownHost = host ?? "its own (\(userClass.host ?? "none"))"
        var parts = ["host \(shownHost) for the users started from now on, unless the test has a host"]
        let dealt = [update.weight.map { "weight \($0)" }, update.fixedCount.map { "fixed_count \($0)" }].compactMap { $0 }
        if !dealt.isEmpty {
            parts.append("\(dealt.joined(separator: " and ")): the master deals users by them, nothing to do on a slave")
        }
        var refused: [String] = []
        if let tasks = update.tasks, Set(tasks) != Set(userClass.tasks.map(\.name)) {
            refused.append("tasks [\(tasks.joined(separator: ", "))] (a SwiftLocust class's tasks are compiled into its plugin: it keeps [\(userClass.tasks.map(\.name).joined(separator: ", "))])")
        }
        if !update.otherKeys.isEmpty {
            refused.append("\(update.otherKeys.joined(separator: ", ")) (not settable on a compiled class)")
        }
        if !refused.isEmpty { parts.append("not applied: " + refused.joined(separator: "; ")) }
        let line = "The master edited user class \(userClass.name): " + parts.joined(separator: "; ")
        if refused.isEmpty { logger.info(line) } else { logger.warning(line) }
    }

    // MARK: Timers

    private func tick() async {
        let start = ContinuousClock.now
        var seconds = 0
        while !Task.isCancelled {
            seconds += 1
            try? await Task.sleep(until: start + .seconds(Double(seconds) * ClusterProtocol.heartbeatInterval), clock: .continuous)
            if Task.isCancelled { return }
            let now = ContinuousClock.now
            let (connected, accepted, silentFor, disconnectedSince, runState, usage, readySent) = state.withLock {
                ($0.connected, $0.accepted, now - $0.lastContact, $0.disconnectedSince, $0.runState, $0.usage.sample(), $0.lastReadySent)
            }
            let timeout = Duration.seconds(cluster.masterTimeout)
            if let disconnectedSince {
                if now - disconnectedSince > timeout {
                    let everAccepted = state.withLock { $0.everAccepted }
                    if everAccepted {
                        logger.error("Could not reconnect to the master within \(PythonStyle.number(cluster.masterTimeout)) s: exiting")
                    } else {
                        logger.error("Could not reach the master at \(cluster.masterHost):\(cluster.masterPort) within \(PythonStyle.number(cluster.masterTimeout)) s")
                    }
                    finish(code: 1, reason: "master lost")
                    return
                }
                if seconds == 3 && !state.withLock({ $0.everAccepted }) {
                    logger.warning("Cannot reach the master at \(cluster.masterHost):\(cluster.masterPort) yet; retrying")
                }
                continue
            }
            guard connected else { continue }
            // Locust's workers say client_ready again every 5 s until the master answers.
            if !accepted, readySent.map({ now - $0 >= .seconds(5) }) ?? true {
                sendReady()
            }
            send(heartbeat(runState: runState, usage: usage, lagMilliseconds: lag.check()))
            let lines = logger.takeUnsentLines()
            if !lines.isEmpty { send(.logs(workerID: slaveID, lines: lines)) }
            if seconds % max(1, Int(ClusterProtocol.statsInterval)) == 0 { outboxWriter.yield(.stats) }
            if settings.slavePrintsTable && seconds % 2 == 0 { printTable() }
            if accepted && silentFor > Self.masterSilentAfter { masterFellSilent(after: silentFor) }
            if accepted && silentFor > timeout {
                logger.error("No word from the master for \(PythonStyle.number(cluster.masterTimeout)) s: stopping users and exiting")
                finish(code: 1, reason: "master silent")
                return
            }
        }
    }

    /// The connection is up but the master has been silent (a cut link: no FIN, no RST, so libzmq sees
    /// nothing for minutes): stop the users as for a closed connection, once, and keep waiting for it
    /// until `--master-timeout`. Its next message ends the silence (`received`).
    private func masterFellSilent(after silence: Duration) {
        let first = state.withLock { state -> Bool in
            guard !state.masterSilent else { return false }
            state.masterSilent = true
            if state.runState.isActive || state.runState == .stopping { state.runState = .cleanup }
            return true
        }
        guard first, !finished.isFired else { return }
        let seconds = Double(silence.components.seconds) + Double(silence.components.attoseconds) / 1e18
        logger.warning(
            "No word from the master for \(PythonStyle.number((seconds * 10).rounded() / 10)) s: stopping users, waiting for it for up to \(PythonStyle.number(cluster.masterTimeout)) s")
        let spawner = self.spawner
        Task {
            _ = await spawner.newTicket()
            await spawner.stopAll(timeout: 0)
            self.state.withLock { state in
                if state.runState == .cleanup { state.runState = .ready }
            }
        }
    }

    private func sendReady() {
        state.withLock { $0.lastReadySent = .now }
        send(.clientReady(version: ClusterProtocol.locustVersion))
        // A heartbeat right away, so that a SwiftLocust master admits this slave without waiting a second.
        let (runState, usage) = state.withLock { ($0.runState, $0.usage.sample()) }
        send(heartbeat(runState: runState, usage: usage, lagMilliseconds: 0))
    }

    /// A heartbeat with this slave's description (what a SwiftLocust master admits it by).
    private func heartbeat(runState: RunState, usage: (cpuPercent: Double, residentBytes: Int), lagMilliseconds: Int) -> ClusterMessage {
        .heartbeat(.init(
            state: runState.locustName, cpuUsage: usage.cpuPercent, memoryUsage: usage.residentBytes,
            slave: .init(
                protocolVersion: ClusterProtocol.version, pluginFingerprint: plugin.fingerprint,
                userClasses: classes.map(\.name), hostname: hostname, userCount: spawner.aliveCount,
                lagMilliseconds: lagMilliseconds)))
    }

    /// This slave's own table (`--print-stats`): what it reported so far plus what it has not yet sent.
    private func printTable() {
        var view = reported.snapshot()
        view.merge(stats.snapshot())
        StandardOutput.write(console.statsTable(view, current: true))
    }

    // MARK: Socket events

    /// A coordinator TLS tunnel's news: a refusal three times in a row (libzmq retries within a
    /// second or so) is no passing fault: it is said, and the slave exits; an unreachable master is
    /// retried as without TLS.
    private func handle(_ event: ClusterTLSConnector.Event) {
        let master = "\(cluster.masterHost):\(cluster.masterPort)"
        switch event {
        case .up:
            state.withLock {
                $0.tunnelDown = false
                $0.tlsRefusals = 0
            }
        case .unreachable(let reason):
            state.withLock { $0.tunnelDown = true }
            logger.debug("Cannot reach the master at \(master) for TLS: \(reason); retrying")
        case .refused(let reason):
            let refusals = state.withLock { state -> Int in
                state.tunnelDown = true
                state.tlsRefusals += 1
                return state.tlsRefusals
            }
            guard refusals >= 3 else {
                logger.debug("The coordinator's TLS handshake with \(master) failed: \(reason); retrying")
                return
            }
            guard !finished.isFired else { return }
            logger.error("The coordinator's TLS handshake with the master at \(master) failed: \(reason)")
            finish(code: 1, reason: "tls")
        }
    }

    private func handle(_ event: ZMQDealer.Event) {
        switch event {
        case .closedBeforeHandshake:
            // With TLS the tunnel says why; without, a master that closes every connection at once
            // most likely expects TLS (a passing fault does not repeat five times in a row).
            guard cluster.tls == nil else { return }
            let closed = state.withLock { state -> Int in
                state.closedEarly += 1
                return state.closedEarly
            }
            guard closed == Self.closedEarlyLimit, !finished.isFired else { return }
            // A token master (CURVE) and a TLS master both close a plain slave's connections: ask the
            // port which it is, then say so and exit.
            Task {
                let answer = await ZMTPGreetingProbe.probe(host: cluster.masterHost, port: cluster.masterPort)
                guard !finished.isFired else { return }
                let reason = ZMTPGreetingProbe.closedEarlyReason(closed: closed, slaveHasToken: cluster.token != nil, answer: answer)
                logger.error("The master at \(cluster.masterHost):\(cluster.masterPort) \(reason)")
                finish(code: 1, reason: "closed")
            }
        case .handshakeFailed(let what) where state.withLock({ $0.tunnelDown }):
            // The TLS tunnel closed this connection, and said why.
            logger.debug("The coordinator's \(what) with \(cluster.masterHost):\(cluster.masterPort) after a failed TLS tunnel")
        case .handshakeFailed(let what):
            // Another mechanism (CURVE against NULL) or a key the master cannot open is no passing
            // fault: after three failed handshakes in a row (libzmq retries within a second), say so
            // and exit; one that failed once (a timeout) is retried.
            let failures = state.withLock { state -> Int in
                state.handshakeFailures += 1
                return state.handshakeFailures
            }
            guard failures >= 3 || what.contains("protocol") || what.contains("authentication") else {
                logger.debug("The coordinator's \(what) with \(cluster.masterHost):\(cluster.masterPort): retrying")
                return
            }
            logger.error(
                cluster.token == nil
                    ? "The master at \(cluster.masterHost):\(cluster.masterPort) refused this slave's handshake (\(what)): it needs --cluster-token"
                    : "The master at \(cluster.masterHost):\(cluster.masterPort) refused this slave's handshake (\(what)): its --cluster-token differs from this slave's, or it has none")
            finish(code: 1, reason: "handshake")
        case .connected:
            let reconnected = state.withLock { state -> Bool in
                state.connected = true
                state.masterSilent = false
                state.handshakeFailures = 0
                state.closedEarly = 0
                state.disconnectedSince = nil
                state.lastContact = .now
                return state.everAccepted
            }
            logger.debug(reconnected ? "Reconnected to the master's port" : "Connected to the master's port")
            sendReady()
        case .disconnected:
            let wasAccepted = state.withLock { state -> Bool in
                guard state.connected else { return false }
                state.connected = false
                state.disconnectedSince = .now
                defer {
                    state.accepted = false
                    state.masterReadsExactOnly = false
                }
                // Locust's `cleanup`: the users of a lost master are stopping; `ready` once they have.
                if state.runState.isActive || state.runState == .stopping { state.runState = .cleanup }
                return state.accepted
            }
            guard wasAccepted, !finished.isFired else { return }
            logger.warning("Lost the master (connection closed): stopping users, reconnecting for up to \(PythonStyle.number(cluster.masterTimeout)) s")
            let spawner = self.spawner
            Task {
                _ = await spawner.newTicket()
                await spawner.stopAll(timeout: 0)
                self.state.withLock { state in
                    if state.runState == .cleanup { state.runState = .ready }
                }
            }
        case .received(let bytes):
            let message: ClusterMessage
            do {
                message = try ClusterMessageCodec.decode(bytes, direction: .toWorker).message
            } catch {
                logger.warning("Ignoring a message from the master: \(error)")
                return
            }
            received(message)
        }
    }

    private func received(_ message: ClusterMessage) {
        let wasSilent = state.withLock { state -> Bool in
            state.lastContact = .now
            defer { state.masterSilent = false }
            return state.masterSilent
        }
        if wasSilent {
            // Ready again, as after a reconnect: the master deals this slave a share anew (it may not
            // have noticed the silence, when only its direction of the link was down).
            logger.info("The master answers again: ready for its orders")
            sendReady()
        }
        switch message {
        case .ack(let index, let exactReports):
            let first = state.withLock { state -> Bool in
                defer {
                    state.accepted = true
                    state.everAccepted = true
                    state.masterReadsExactOnly = exactReports
                }
                return !state.everAccepted
            }
            if first {
                // Accepted: a later refusal may fetch the plugin again.
                unsetenv(Self.refetchedVariable)
                logger.info("Connected to the master as \(slaveID) (index \(index))")
            } else {
                logger.debug("The master took this slave's client_ready (index \(index))")
            }
        case .reject(let reason):
            // A `-f -` slave whose master now runs another build fetches that one, once: a plugin
            // cannot be unloaded, so the process starts again (a second refusal in a row is final).
            if fetchedPlugin && ProcessInfo.processInfo.environment[Self.refetchedVariable] == nil {
                logger.warning("The master refused this slave (\(reason)): fetching its plugin again")
                finish(code: Self.refetchExitCode, reason: "refetch")
                return
            }
            logger.error("The master refused this slave: \(reason)")
            finish(code: LocustMain.usageExitCode, reason: "refused")
        case .spawn(let spawn):
            let stale = state.withLock { state -> Bool in
                guard spawn.timestamp > state.lastSpawnTimestamp else { return true }
                state.lastSpawnTimestamp = spawn.timestamp
                return false
            }
            send(.spawning)
            if stale {
                logger.info("Discard spawn message with older or equal timestamp than timestamp of previous spawn message")
                return
            }
            inboxWriter.yield(message)
        case .stop, .updateUserClass:
            inboxWriter.yield(message)
        case .masterHeartbeat, .masterSpawningComplete:
            break
        case .reconnect:
            logger.warning("Received reconnect message from master. Resetting the connection.")
            state.withLock { state in
                state.accepted = false
                state.masterReadsExactOnly = false
                state.lastReadySent = nil
            }
            dealer.withLock { $0 }?.reconnect()
        case .quit:
            logger.info("The master told this slave to quit")
            finish(code: 0, reason: "quit")
        case .other(let type):
            logger.warning("Unknown message type received: \(type)")
        case .clientReady, .heartbeat, .stats, .spawning, .spawningComplete, .clientStopped, .exception, .logs, .hookFailed, .pluginRequest, .plugin:
            logger.warning("Ignoring '\(message.typeName)' from the master: it is a worker's message")
        }
    }
}
