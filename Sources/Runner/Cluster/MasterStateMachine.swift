import LocustStats
import MessagePack

/// The master's side of the coordinator as a value, without sockets or clocks (in the style of
/// SwiftNIO's `*StateMachine` types): ``handle(_:now:wallTime:)`` takes one input (a message from a
/// peer, a disconnection, the heartbeat tick, an order of the controller) and returns what to do. It
/// is tested in-process with fake peers and an injected clock.
///
/// It admits SwiftLocust slaves whose protocol, classes and plugin build match (told by the
/// `swiftlocust` key of their heartbeats) and Python Locust workers (whose heartbeats have no such
/// key), spreads users over them by ``ClusterAssignment``, rebalances when one joins, leaves, goes
/// missing (3 missed heartbeats) or comes back, merges their statistics (exact from our slaves,
/// Locust's buckets from Python workers) and drops a report that names another test.
///
/// A SwiftLocust slave gets one order per change, with its rate; a Python worker, which starts each
/// order's difference at once, gets a new order at each tick while its share grows
/// (``PythonWorkerRamp``, Locust's own pacing), and the test is running only once that ramp is over.
struct MasterStateMachine {
    /// A class the master runs, and its weight.
    struct ClassWeight: Sendable, Equatable {
        var name: String
        var weight: Int
        /// Locust's `fixed_count` (0: by weight).
        var fixedCount: Int = 0
    }

    /// What does not change during the master's life.
    struct Configuration: Sendable {
        /// The classes of the plugin, in order, with their weights.
        var classes: [ClassWeight]
        /// The plugin's fingerprint; a SwiftLocust slave must have the same.
        var pluginFingerprint: String
        /// `--equal-weights`.
        var equalTaskWeights: Bool
        /// `-T/--tags` and `-E/--exclude-tags`, sent in every order's `parsed_options` (nil: not given).
        var tags: [String]? = nil
        var excludeTags: [String]? = nil
        /// Names this master's tests (random per process): `RUNID-N` is the N-th test.
        var runID: String
        /// `--host`.
        var host: String?
        /// `--stop-timeout` for the spawn orders.
        var stopTimeout = 0.0
    }

    /// Something that happened.
    enum Input: Sendable {
        /// A message from the peer whose socket identity is `identity`, connected from `peer`.
        case received(ClusterMessage, identity: [UInt8], peer: String)
        /// Bytes from a peer that are not a message.
        case malformed(identity: [UInt8], peer: String, reason: String)
        /// A connection closed; `identity` is the one last seen on it.
        case disconnected(identity: [UInt8]?, peer: String)
        /// Once per heartbeat interval.
        case tick
        /// The controller starts or edits the test.
        case start(users: Int, rate: Double, host: String?, classNames: [String]?)
        /// The scenario's option values for the next orders (typed, as they go in `parsed_options`).
        case scenarioOptions([String: MessagePackValue])
        /// The controller starts an open-model test: each SwiftLocust slave gets an equal share of the
        /// schedule and of the bound (Python workers cannot run one and get no order).
        case startArrivals(ArrivalPlan, host: String?, classNames: [String]?)
        /// The controller stops the test.
        case stop(stopTimeout: Double)
        /// The stop's time ran out: whoever has not answered is given up on.
        case stopDeadlinePassed
        /// The master is shutting down: every peer is told to quit.
        case quit
    }

    /// A log line's level.
    enum LogLevel: Sendable, Equatable { case debug, info, warning, error }

    /// What to do.
    enum Command: Sendable, Equatable {
        /// Send `message` to the peer with socket identity `identity`.
        case send(ClusterMessage, to: [UInt8])
        /// Send the master's plugin (or why not) to this peer (`-f -`).
        case servePlugin(to: [UInt8])
        /// Add a statistics delta to the master's statistics.
        case merge(StatsSnapshot)
        /// Count an exception a Python worker raised.
        case recordException(message: String, traceback: String, node: String)
        /// Log a line.
        case log(LogLevel, String)
        /// Tell the controller.
        case event(MasterCoordinator.Event)
        /// Every slave answered the current stop (or its time ran out).
        case allStopped
        /// Shutting down, every peer has gone (after `quit`).
        case allGone
    }

    /// One report's clock offset (see `Worker.recentClockOffsets`).
    struct ClockOffset: Sendable, Equatable {
        var receivedAt: ContinuousClock.Instant
        var offset: Double
    }

    /// One peer.
    struct Worker: Sendable, Equatable {
        /// What kind of worker it is.
        enum Kind: Sendable, Equatable {
            /// Said `client_ready`, no heartbeat yet: not given users.
            case pending
            /// A SwiftLocust slave with the master's plugin.
            case swiftLocust
            /// A Python Locust worker.
            case locust
        }

        var id: String
        var identity: [UInt8]
        var peer: String
        var index: Int
        var kind = Kind.pending
        var hostname: String
        var state = RunState.ready
        var userCount = 0
        var ordered: [String: Int] = [:]
        /// The open-model share last ordered (its `elapsed` left at 0), nil when none.
        var orderedArrival: ClusterMessage.ArrivalOrder?
        var lastHeard: ContinuousClock.Instant
        var lastHeartbeatWallTime: Double
        var missingSince: ContinuousClock.Instant?
        var cpuUsage = 0.0
        /// Its clock skew was logged.
        var clockSkewLogged = false
        /// This master's wall time minus the report's `takenAt`, for the exact reports received in the
        /// last `skewWindow`: the clock skew plus the report's delay on the way, which is never
        /// negative, so the smallest is the skew (a report held up by a cut link is late, not skewed).
        var recentClockOffsets: [ClockOffset] = []
        var memoryUsage = 0
        var lagMilliseconds = 0
        var lagWarnedAt: ContinuousClock.Instant?
        var logs: [String] = []
        /// A Python worker's statistics after its `client_stopped` come with its next periodic report
        /// (every 3 s): the stop waits for it until then.
        var finalReportDue: ContinuousClock.Instant?

        /// Counts for users and dealing.
        var isActive: Bool { kind != .pending && state != .missing }
    }

    /// Lines kept per slave for `GET /logs`.
    static let keptLogLines = 500
    /// A slave not heard from for this long does not count its users as running (it may be frozen).
    static let liveWindow = Duration.seconds(2 * ClusterProtocol.heartbeatInterval)
    static let missingAfter = Duration.seconds(ClusterProtocol.heartbeatInterval * Double(ClusterProtocol.heartbeatLiveness))
    static let forgetAfter = Duration.seconds(ClusterProtocol.missingSlaveLifetime)
    /// How long reports' clock offsets are kept to tell a slave's clock skew from a report's delay
    /// (a burst of late reports after a cut shorter than this keeps its times), and at most how many.
    static let skewWindow = Duration.seconds(ClusterProtocol.missingSlaveLifetime)
    static let skewWindowReports = 600
    /// How long a stop waits for a Python worker's last report (Locust's workers report every 3 s).
    static let finalReportWait = Duration.milliseconds(3500)

    let configuration: Configuration
    private(set) var workers: [String: Worker] = [:]
    private(set) var runState = RunState.ready
    /// The scenario's option values sent in every order's `parsed_options`.
    private var scenarioOptions: [String: MessagePackValue] = [:]
    private(set) var targetUsers = 0
    private(set) var rate = 1.0
    private(set) var host: String?
    private(set) var chosenClasses: Set<String>?
    private(set) var testNumber = 0
    /// The open-model test running (nil: the closed model), and when it started (wall clock).
    private(set) var arrival: ArrivalPlan?
    private var arrivalStart = 0.0
    /// Python workers already told that they get no share of the open model.
    private var warnedLocustWorkers: Set<String> = []
    private var needsRebalance = false
    /// The Python workers' ramp in progress, if any.
    private(set) var pythonRamp: PythonWorkerRamp?
    private var awaitingStop = false
    private var lastSpawnTimestamp = 0.0
    private var nextIndex = 0
    private var shuttingDown = false

    init(configuration: Configuration) {
        self.configuration = configuration
        self.host = configuration.host
    }

    /// The name of the current (or last) test, which every order carries and every report must name.
    var currentTest: String { "\(configuration.runID)-\(testNumber)" }

    // MARK: Queries

    /// Slaves admitted and not missing.
    var activeSlaveCount: Int { workers.values.filter(\.isActive).count }

    /// Slaves marked missing and not yet forgotten.
    var missingSlaveCount: Int { workers.values.filter { $0.kind != .pending && $0.state == .missing }.count }

    /// Users the active slaves that were heard from lately report.
    func userCount(now: ContinuousClock.Instant) -> Int {
        workers.values.filter { $0.isActive && now - $0.lastHeard <= Self.liveWindow }.reduce(0) { $0 + $1.userCount }
    }

    /// The users per class ordered to the active slaves, summed.
    var assignedCounts: [String: Int] {
        var total: [String: Int] = [:]
        for worker in workers.values where worker.isActive {
            for (name, count) in worker.ordered { total[name, default: 0] += count }
        }
        return total
    }

    /// Each admitted slave as the web UI lists it, by id.
    func workerStatuses(now: ContinuousClock.Instant) -> [WorkerStatus] {
        workers.values.filter { $0.kind != .pending }.sorted { $0.id < $1.id }.map {
            // A slave that stopped is ready for the next test, as Locust shows it.
            WorkerStatus(
                id: $0.id, hostname: $0.hostname, state: $0.state == .stopped ? .ready : $0.state,
                userCount: $0.isActive && now - $0.lastHeard <= Self.liveWindow ? $0.userCount : 0,
                cpuUsage: $0.cpuUsage, memoryUsage: $0.memoryUsage, lastHeartbeat: $0.lastHeartbeatWallTime,
                lagMilliseconds: $0.lagMilliseconds, isLocustWorker: $0.kind == .locust)
        }
    }

    /// Each slave's recent log lines, by id.
    var slaveLogs: [String: [String]] { workers.filter { $0.value.kind != .pending }.mapValues(\.logs) }

    // MARK: Inputs

    /// Handles one input at `now` (monotonic) and `wallTime` (seconds since 1970, for spawn timestamps
    /// and heartbeat times shown to users).
    mutating func handle(_ input: Input, now: ContinuousClock.Instant, wallTime: Double) -> [Command] {
        var out: [Command] = []
        switch input {
        case .received(let message, let identity, let peer):
            received(message, identity: identity, peer: peer, now: now, wallTime: wallTime, into: &out)
        case .malformed(let identity, let peer, let reason):
            let id = Self.id(identity)
            if workers[id] != nil {
                out.append(.log(.error, "Bad message from slave \(id) (\(peer)): \(reason); asking it to reconnect"))
                out.append(.send(.reconnect, to: identity))
            } else {
                out.append(.log(.warning, "Unrecognized message from \(peer): \(reason)"))
            }
        case .disconnected(let identity, let peer):
            guard let identity else { break }
            let id = Self.id(identity)
            // A slave that reconnected took its identity over on a new connection: the old one's end
            // is not its departure.
            guard let worker = workers[id], worker.peer == peer else { break }
            remove(id, reason: "disconnected", into: &out)
        case .tick:
            tick(now: now, wallTime: wallTime, into: &out)
        case .startArrivals(let plan, let host, let classNames):
            if !runState.isActive { testNumber += 1 }
            arrival = plan
            arrivalStart = wallTime
            targetUsers = 0
            if let host { self.host = host }
            if let classNames { chosenClasses = Set(classNames) }
            runState = .spawning
            rebalance(now: now, wallTime: wallTime, into: &out)
            checkSpawningComplete(into: &out)
        case .start(let users, let rate, let host, let classNames):
            if !runState.isActive { testNumber += 1 }
            arrival = nil
            targetUsers = users
            self.rate = rate
            if let host { self.host = host }
            if let classNames { chosenClasses = Set(classNames) }
            runState = .spawning
            rebalance(now: now, wallTime: wallTime, into: &out)
            checkSpawningComplete(into: &out)
        case .scenarioOptions(let options):
            scenarioOptions = options
        case .stop:
            runState = .stopping
            pythonRamp = nil
            awaitingStop = true
            for id in workers.keys.sorted() {
                guard let worker = workers[id], worker.isActive else { continue }
                workers[id]?.state = .stopping
                out.append(.send(.stop, to: worker.identity))
            }
            checkAllStopped(into: &out)
        case .stopDeadlinePassed:
            guard awaitingStop else { break }
            let late = workers.values.filter { $0.isActive && $0.state == .stopping }.map(\.id).sorted()
            if !late.isEmpty {
                out.append(.log(.warning, "No 'client_stopped' from \(late.joined(separator: ", ")) in time: their last statistics may be missing"))
            }
            awaitingStop = false
            for id in workers.keys { workers[id]?.finalReportDue = nil }
            runState = .stopped
            out.append(.allStopped)
        case .quit:
            shuttingDown = true
            pythonRamp = nil
            for id in workers.keys.sorted() {
                if let worker = workers[id] { out.append(.send(.quit, to: worker.identity)) }
            }
            if workers.isEmpty { out.append(.allGone) }
        }
        return out
    }

    private mutating func received(
        _ message: ClusterMessage, identity: [UInt8], peer: String, now: ContinuousClock.Instant, wallTime: Double,
        into out: inout [Command]
    ) {
        let id = Self.id(identity)
        if case .clientReady(let version) = message {
            return clientReady(version: version, id: id, identity: identity, peer: peer, now: now, wallTime: wallTime, into: &out)
        }
        if case .pluginRequest = message {
            // `-f -`: a slave that is not one yet asks for the plugin (the coordinator sends it).
            out.append(.log(.info, "Sending the plugin to \(id) (\(peer)), which asked for it (-f -)"))
            out.append(.servePlugin(to: identity))
            return
        }
        guard var worker = workers[id] else {
            switch message {
            case .heartbeat:
                // A slave of a master that was restarted on this port: it must say client_ready again.
                out.append(.log(.debug, "Heartbeat from unknown worker \(id) (\(peer)): asking it to reconnect"))
                out.append(.send(.reconnect, to: identity))
            case .stats(let report):
                out.append(.log(.info, "Dropped a statistics report from unknown worker \(id) (\(peer)): \(report.snapshot.total.numRequests) requests"))
            case .quit:
                break
            default:
                out.append(.log(.debug, "Got '\(message.typeName)' from unknown worker \(id) (\(peer))"))
            }
            return
        }
        switch message {
        case .heartbeat(let heartbeat):
            worker.lastHeard = now
            worker.lastHeartbeatWallTime = wallTime
            if heartbeat.cpuUsage.isFinite { worker.cpuUsage = heartbeat.cpuUsage }
            worker.memoryUsage = max(0, heartbeat.memoryUsage)
            if worker.kind == .pending {
                if let refusal = identify(&worker, heartbeat.slave) {
                    out.append(.log(.error, "Refused slave \(id) from \(peer): \(refusal)"))
                    out.append(.send(.reject(reason: refusal), to: identity))
                    workers[id] = nil
                    return
                }
                workers[id] = worker
                let count = activeSlaveCount
                if worker.kind == .swiftLocust {
                    out.append(.log(.info, "Slave \(id) (\(worker.hostname), \(peer)) connected. \(count) slaves connected."))
                } else {
                    out.append(.log(.info, "Locust worker \(id) (\(peer)) connected (Python: its percentiles are Locust's rounded buckets). \(count) slaves connected."))
                }
                needsRebalance = true
                out.append(.event(.slavesChanged(active: count, missing: missingSlaveCount)))
            }
            if let slave = heartbeat.slave {
                worker.userCount = slave.userCount
                worker.lagMilliseconds = slave.lagMilliseconds
                if slave.lagMilliseconds >= EngineLagMonitor.threshold,
                    worker.lagWarnedAt.map({ now - $0 >= .seconds(EngineLagMonitor.quietSeconds) }) ?? true
                {
                    worker.lagWarnedAt = now
                    out.append(.log(.warning,
                        "Slave \(id) is falling behind: its users woke up to \(slave.lagMilliseconds) ms late (CPU starved or overloaded?): its throughput is its own limit"))
                }
            }
            let wasMissing = worker.state == .missing
            if wasMissing {
                worker.state = RunState(rawValue: heartbeat.state).flatMap { $0 == .missing ? nil : $0 } ?? .ready
                worker.missingSince = nil
                worker.ordered = [:]
                worker.orderedArrival = nil
            }
            workers[id] = worker
            if wasMissing {
                out.append(.log(.info, "Slave \(id) is back"))
                needsRebalance = true
                out.append(.event(.slavesChanged(active: activeSlaveCount, missing: missingSlaveCount)))
            }
            out.append(.send(.masterHeartbeat, to: identity))
        case .stats(let report):
            guard worker.kind != .pending else {
                out.append(.log(.debug, "Dropped a statistics report from \(id) before its first heartbeat"))
                return
            }
            if let test = report.test, test != currentTest {
                out.append(.log(.info, "Dropped a statistics report of another test (\(test)) from \(id): \(report.snapshot.total.numRequests) requests"))
                return
            }
            if report.exact && report.test == nil && report.snapshot.total.numRequests > 0 {
                out.append(.log(.info, "Dropped a statistics report from \(id) that belongs to no test of this master: \(report.snapshot.total.numRequests) requests"))
                return
            }
            // Our slaves' snapshots say when they were taken, on the slave's wall clock: a slave whose
            // clock is off has its times moved onto this master's (to the second; network delay is far
            // less), so requests/s and the history stay true. Python workers' reports carry no time.
            var snapshot = report.snapshot
            if report.exact && snapshot.takenAt > 0 {
                // The smallest offset of the last reports: a burst of reports queued behind a cut link
                // (taken seconds ago, on a clock that is right) must not be moved to now.
                worker.recentClockOffsets.removeAll { now - $0.receivedAt > Self.skewWindow }
                if worker.recentClockOffsets.count >= Self.skewWindowReports { worker.recentClockOffsets.removeFirst() }
                worker.recentClockOffsets.append(ClockOffset(receivedAt: now, offset: wallTime - snapshot.takenAt))
                let skew = Int((worker.recentClockOffsets.map(\.offset).min() ?? 0).rounded())
                if skew != 0 {
                    snapshot = snapshot.shifted(bySeconds: skew)
                    if abs(skew) >= 2 && !worker.clockSkewLogged {
                        worker.clockSkewLogged = true
                        out.append(.log(.warning, "Slave \(id)'s clock is \(abs(skew)) s \(skew < 0 ? "ahead of" : "behind") this master's: its statistics are put on the master's clock"))
                    }
                }
            }
            out.append(.merge(snapshot))
            worker.lastHeard = now
            if worker.state != .missing && worker.kind == .locust { worker.userCount = report.userCount }
            let wasFinal = worker.finalReportDue != nil
            worker.finalReportDue = nil
            workers[id] = worker
            if wasFinal { checkAllStopped(into: &out) }
        case .spawning:
            if worker.state != .missing && worker.state != .stopping { workers[id]?.state = .spawning }
        case .spawningComplete(let counts, let userCount):
            guard worker.state != .missing else { return }
            worker.userCount = userCount
            let reached = counts.filter { $0.value > 0 } == worker.ordered.filter { $0.value > 0 }
            if reached && worker.state != .stopping && worker.state != .stopped { worker.state = .running }
            workers[id] = worker
            checkSpawningComplete(into: &out)
        case .clientStopped:
            guard worker.state != .missing else { return }
            worker.state = .stopped
            worker.userCount = 0
            worker.ordered = [:]
            worker.orderedArrival = nil
            if worker.kind == .locust && awaitingStop { worker.finalReportDue = now + Self.finalReportWait }
            workers[id] = worker
            checkAllStopped(into: &out)
        case .exception(let message, let traceback):
            // A SwiftLocust slave's exceptions are in its snapshot (exact counts); these copies are
            // for Locust masters.
            if worker.kind != .swiftLocust {
                out.append(.recordException(message: message, traceback: traceback, node: id))
            }
        case .logs(_, let lines):
            var logs = worker.logs
            if worker.kind == .locust {
                // A Python worker sends all its lines every time.
                logs = Array(lines.suffix(Self.keptLogLines))
            } else {
                logs.append(contentsOf: lines.suffix(Self.keptLogLines))
                if logs.count > Self.keptLogLines { logs.removeFirst(logs.count - Self.keptLogLines) }
            }
            workers[id]?.logs = logs
        case .hookFailed(let message):
            out.append(.log(.error, "Slave \(id): the test_start hook failed: \(message)"))
            if runState.isActive { out.append(.event(.hookFailed("on slave \(id): \(message)"))) }
        case .quit:
            remove(id, reason: "quit", into: &out)
        case .other(let type):
            out.append(.log(.warning, "Unknown message type received from worker \(id): \(type)"))
        case .pluginRequest:
            break
        case .clientReady, .ack, .spawn, .masterSpawningComplete, .stop, .masterHeartbeat, .reconnect, .reject, .updateUserClass, .plugin:
            out.append(.log(.warning, "Got '\(message.typeName)' from worker \(id): it is a master's message"))
        }
    }

    private mutating func clientReady(
        version: String, id: String, identity: [UInt8], peer: String, now: ContinuousClock.Instant, wallTime: Double,
        into out: inout [Command]
    ) {
        guard !shuttingDown else { return }
        guard !version.isEmpty else {
            out.append(.log(.error, "An old (pre 2.0) worker tried to connect (\(id)). That's not going to work."))
            return
        }
        if version != ClusterProtocol.locustVersion && version != "-1" && version.prefix(4) != ClusterProtocol.locustVersion.prefix(4) {
            out.append(.log(.warning, "A worker (\(id)) running a different version (\(version)) connected, this master speaks Locust \(ClusterProtocol.locustVersion)'s protocol"))
        }
        if var worker = workers[id] {
            // Ready again: after its stop (Locust's workers), or reconnected.
            worker.identity = identity
            worker.peer = peer
            worker.lastHeard = now
            if worker.state != .missing { worker.state = .ready }
            worker.ordered = [:]
            worker.orderedArrival = nil
            workers[id] = worker
            out.append(.send(.ack(index: worker.index, exactReports: true), to: identity))
            if runState.isActive && worker.kind != .pending { needsRebalance = true }
            return
        }
        let hostname = id.split(separator: "_", maxSplits: 1).first.map(String.init) ?? id
        workers[id] = Worker(
            id: id, identity: identity, peer: peer, index: nextIndex, hostname: hostname, lastHeard: now,
            lastHeartbeatWallTime: wallTime)
        nextIndex += 1
        out.append(.log(.debug, "client_ready from \(id) (\(peer))"))
        out.append(.send(.ack(index: nextIndex - 1, exactReports: true), to: identity))
    }

    /// Sets the kind of a pending worker from its first heartbeat; the refusal when it cannot join.
    private func identify(_ worker: inout Worker, _ slave: ClusterMessage.SlaveInfo?) -> String? {
        guard let slave else {
            worker.kind = .locust
            return nil
        }
        let names = configuration.classes.map(\.name)
        if slave.protocolVersion != ClusterProtocol.version {
            return "SwiftLocust protocol \(slave.protocolVersion), but this master speaks \(ClusterProtocol.version): use the same SwiftLocust build"
        }
        if slave.userClasses != names {
            return "its plugin has user classes [\(slave.userClasses.joined(separator: ", "))], the master's has [\(names.joined(separator: ", "))]: run the same plugin file"
        }
        if slave.pluginFingerprint != configuration.pluginFingerprint {
            return "its plugin is another build than the master's: copy the master's plugin file to the slave"
        }
        worker.kind = .swiftLocust
        worker.hostname = slave.hostname.isEmpty ? worker.hostname : slave.hostname
        return nil
    }

    private mutating func tick(now: ContinuousClock.Instant, wallTime: Double, into out: inout [Command]) {
        var lost: [String] = []
        var reportOverdue = false
        for id in workers.keys.sorted() {
            guard let worker = workers[id] else { continue }
            if let due = worker.finalReportDue, now >= due {
                workers[id]?.finalReportDue = nil
                reportOverdue = true
                out.append(.log(.debug, "No statistics from \(id) after its client_stopped: going on without them"))
            }
            if worker.state == .missing {
                if let since = worker.missingSince, now - since > Self.forgetAfter {
                    workers[id] = nil
                    out.append(.log(.info, "Slave \(id) was missing for \(Int(ClusterProtocol.missingSlaveLifetime)) s: forgetting it"))
                }
                continue
            }
            guard now - worker.lastHeard > Self.missingAfter else { continue }
            workers[id]?.state = .missing
            workers[id]?.missingSince = now
            workers[id]?.userCount = 0
            workers[id]?.ordered = [:]
            workers[id]?.orderedArrival = nil
            guard worker.kind != .pending else { continue }
            lost.append(id)
            // If it comes back, it must drop the users that went to others.
            out.append(.send(.stop, to: worker.identity))
        }
        for id in lost {
            out.append(.log(.warning, "Slave \(id) failed to send heartbeat, setting state to missing; its users go to the others"))
        }
        if !lost.isEmpty {
            needsRebalance = true
            checkAllStopped(into: &out)
            out.append(.event(.slavesChanged(active: activeSlaveCount, missing: missingSlaveCount)))
        }
        if reportOverdue { checkAllStopped(into: &out) }
        if needsRebalance && runState.isActive {
            rebalance(now: now, wallTime: wallTime, into: &out)
            checkSpawningComplete(into: &out)
        }
        needsRebalance = false
        advancePythonRamp(now: now, wallTime: wallTime, into: &out)
    }

    private mutating func remove(_ id: String, reason: String, into out: inout [Command]) {
        guard let worker = workers.removeValue(forKey: id) else { return }
        if shuttingDown && workers.isEmpty { out.append(.allGone) }
        guard !shuttingDown, worker.kind != .pending else { return }
        if worker.state != .missing { needsRebalance = true }
        let count = activeSlaveCount
        out.append(.log(.info, "Slave \(id) left (\(reason)). \(count) slaves connected."))
        checkAllStopped(into: &out)
        checkSpawningComplete(into: &out)
        out.append(.event(.slavesChanged(active: count, missing: missingSlaveCount)))
    }

    /// New orders for every active slave whose share changed: a SwiftLocust slave's whole share with its
    /// rate, a Python worker's first step of a new ``PythonWorkerRamp`` (decreases at once).
    private mutating func rebalance(now: ContinuousClock.Instant, wallTime: Double, into out: inout [Command]) {
        // Done here for every change so far: a later tick must not begin the ramp again.
        needsRebalance = false
        pythonRamp = nil
        if let arrival {
            rebalanceArrivals(arrival, wallTime: wallTime, into: &out)
            return
        }
        let active = workers.values.filter(\.isActive).sorted { $0.id < $1.id }
        guard !active.isEmpty else {
            out.append(.log(.warning, "No slaves connected: users start when slaves join"))
            return
        }
        let classes = configuration.classes
        let assignment = ClusterAssignment.assign(total: targetUsers, weights: testWeights, fixed: testFixedCounts, slaves: active.count)
        var pythonBase: [String: [Int]] = [:]
        var pythonFinal: [String: [Int]] = [:]
        for (index, worker) in active.enumerated() where worker.kind == .locust {
            pythonBase[worker.id] = classes.map { worker.ordered[$0.name] ?? 0 }
            pythonFinal[worker.id] = assignment[index]
        }
        var first: [String: [Int]] = [:]
        if !pythonFinal.isEmpty {
            let pythonUsers = pythonFinal.values.reduce(0) { $0 + $1.reduce(0, +) }
            let pythonRate = targetUsers > 0 ? rate * Double(pythonUsers) / Double(targetUsers) : rate
            var ramp = PythonWorkerRamp(base: pythonBase, final: pythonFinal, rate: pythonRate, now: now)
            first = ramp.advance(to: now) ?? ramp.base
            if !ramp.isFinished {
                pythonRamp = ramp
                out.append(.log(.debug,
                    "Ramping \(ramp.additions.count) users on \(pythonFinal.count) Python workers at \(PythonStyle.number(pythonRate))/s: \(ramp.step) now, \(ramp.step) more every \(PythonStyle.number(ramp.interval)) s"))
            }
        }
        var sent = false
        for (index, worker) in active.enumerated() {
            let users = worker.kind == .locust ? first[worker.id] ?? assignment[index] : assignment[index]
            let counts = countsMap(users)
            guard worker.ordered != counts || worker.state == .stopped || worker.state == .ready || worker.state == .stopping else { continue }
            let total = assignment[index].reduce(0, +)
            sendSpawn(counts, to: worker, share: total, wallTime: wallTime, into: &out)
            sent = true
        }
        if sent && runState == .running { runState = .spawning }
    }

    /// The next step of the Python workers' ramp, when one is due: orders to those whose share grew.
    private mutating func advancePythonRamp(now: ContinuousClock.Instant, wallTime: Double, into out: inout [Command]) {
        guard var ramp = pythonRamp, runState.isActive else { return }
        guard let counts = ramp.advance(to: now) else { return }
        pythonRamp = ramp.isFinished ? nil : ramp
        for id in counts.keys.sorted() {
            guard let worker = workers[id], worker.isActive, let users = counts[id] else { continue }
            let map = countsMap(users)
            guard worker.ordered != map else { continue }
            sendSpawn(map, to: worker, share: users.reduce(0, +), wallTime: wallTime, into: &out)
        }
        if ramp.isFinished {
            out.append(.log(.debug, "The Python workers' ramp is ordered in full (\(ramp.additions.count) users)"))
            checkSpawningComplete(into: &out)
        }
    }

    /// The weights of this test's classes (0 for a class not chosen).
    private var testWeights: [Int] {
        configuration.classes.map { chosenClasses == nil || chosenClasses?.contains($0.name) == true ? $0.weight : 0 }
    }

    /// The test's classes' fixed counts (Locust's `fixed_count`; 0 for the others).
    private var testFixedCounts: [Int] {
        configuration.classes.map { chosenClasses == nil || chosenClasses?.contains($0.name) == true ? $0.fixedCount : 0 }
    }

    /// Users per class as an order names them: only the test's classes, as a Locust master sends them
    /// (a Python worker's locustfile may have no others, and fails on a name it does not know).
    private func countsMap(_ users: [Int]) -> [String: Int] {
        let weights = testWeights
        let fixed = testFixedCounts
        var counts: [String: Int] = [:]
        for (classIndex, userClass) in configuration.classes.enumerated() where weights[classIndex] > 0 || fixed[classIndex] > 0 || chosenClasses == nil {
            counts[userClass.name] = classIndex < users.count ? users[classIndex] : 0
        }
        return counts
    }

    /// Sends `counts` to `worker` in a new order; `share` is its users at the end of the ramp (its
    /// part of the rate, for a SwiftLocust slave).
    private mutating func sendSpawn(_ counts: [String: Int], to worker: Worker, share: Int, wallTime: Double, into out: inout [Command]) {
        let fraction = targetUsers > 0 ? Double(share) / Double(targetUsers) : 0
        lastSpawnTimestamp = max(wallTime, lastSpawnTimestamp + 0.000_001)
        workers[worker.id]?.ordered = counts
        workers[worker.id]?.state = .spawning
        out.append(.send(.spawn(.init(
            timestamp: lastSpawnTimestamp, counts: counts, host: host, stopTimeout: configuration.stopTimeout,
            order: .init(test: currentTest, rate: max(rate * fraction, 0.001), equalTaskWeights: configuration.equalTaskWeights),
            tags: configuration.tags, excludeTags: configuration.excludeTags, options: scenarioOptions)),
            to: worker.identity))
    }

    /// The open model's orders: each active SwiftLocust slave gets 1/N of every rate and of the bound
    /// (the remainder to the first ones, at least 1 each), and how far the schedule is, so a slave given a
    /// new share goes on from there on its own clock. A Python worker gets none (it has no open model).
    private mutating func rebalanceArrivals(_ plan: ArrivalPlan, wallTime: Double, into out: inout [Command]) {
        let active = workers.values.filter { $0.isActive && $0.kind == .swiftLocust }.sorted { $0.id < $1.id }
        for worker in workers.values where worker.isActive && worker.kind == .locust && !warnedLocustWorkers.contains(worker.id) {
            warnedLocustWorkers.insert(worker.id)
            out.append(.log(.warning, "Python Locust worker \(worker.id) cannot run the open model (--arrival-rate): it gets no share"))
        }
        guard !active.isEmpty else {
            out.append(.log(.warning, "No SwiftLocust slaves connected: the open model starts when slaves join"))
            return
        }
        let names = configuration.classes.filter { chosenClasses == nil || chosenClasses?.contains($0.name) == true }.map(\.name)
        let counts = Dictionary(uniqueKeysWithValues: names.map { ($0, 0) })
        let elapsed = max(0, wallTime - arrivalStart)
        var sent = false
        for (index, worker) in active.enumerated() {
            let bound = max(1, plan.maxConcurrency / active.count + (index < plan.maxConcurrency % active.count ? 1 : 0))
            let share = ClusterMessage.ArrivalOrder(
                schedule: plan.schedule.scaled(by: 1 / Double(active.count)), maxConcurrency: bound, elapsed: 0)
            guard worker.orderedArrival != share || worker.state == .stopped || worker.state == .ready || worker.state == .stopping
            else { continue }
            var order = share
            order.elapsed = elapsed
            lastSpawnTimestamp = max(wallTime, lastSpawnTimestamp + 0.000_001)
            workers[worker.id]?.ordered = counts
            workers[worker.id]?.orderedArrival = share
            workers[worker.id]?.state = .spawning
            out.append(.send(.spawn(.init(
                timestamp: lastSpawnTimestamp, counts: counts, host: host, stopTimeout: configuration.stopTimeout,
                order: .init(test: currentTest, rate: 1, equalTaskWeights: configuration.equalTaskWeights, arrival: order),
                tags: configuration.tags, excludeTags: configuration.excludeTags, options: scenarioOptions)),
                to: worker.identity))
            sent = true
        }
        if sent && runState == .running { runState = .spawning }
    }

    /// Once every active slave reached its order: running, and everyone is told.
    private mutating func checkSpawningComplete(into out: inout [Command]) {
        // A Python worker reaches each step of its ramp: only the last one counts.
        guard runState == .spawning, pythonRamp == nil else { return }
        // In the open model only SwiftLocust slaves have orders to reach.
        let active = workers.values.filter { $0.isActive && (arrival == nil || $0.kind == .swiftLocust) }
        guard !active.isEmpty, active.allSatisfy({ $0.state == .running }) else { return }
        runState = .running
        let counts = assignedCounts
        let total = counts.values.reduce(0, +)
        let shown = configuration.classes.filter { chosenClasses?.contains($0.name) ?? true }
        let parts = shown.map { "\"\($0.name)\": \(counts[$0.name] ?? 0)" }.joined(separator: ", ")
        out.append(.log(.info, "All users spawned: {\(parts)} (\(total) total users)"))
        for worker in active.sorted(by: { $0.id < $1.id }) {
            out.append(.send(.masterSpawningComplete(userCount: total), to: worker.identity))
        }
        out.append(.event(.spawningComplete(users: total)))
    }

    /// Fires the current stop once no active slave is still stopping.
    private mutating func checkAllStopped(into out: inout [Command]) {
        guard awaitingStop else { return }
        // A slave that said client_stopped may already be ready again (Locust's workers say client_ready
        // right after): done is "no longer stopping".
        guard !workers.values.contains(where: { $0.isActive && ($0.state == .stopping || $0.finalReportDue != nil) }) else { return }
        awaitingStop = false
        runState = .stopped
        out.append(.allStopped)
    }

    static func id(_ identity: [UInt8]) -> String { String(decoding: identity, as: UTF8.self) }
}
