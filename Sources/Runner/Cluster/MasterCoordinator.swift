import Foundation
import LocustAPI
import LocustStats
import Synchronization

/// The master's side of the coordinator: who is connected, what each slave runs, the merged statistics.
///
/// It simulates no users. It admits slaves that speak its protocol version and run the same plugin,
/// spreads the users over them (`ClusterAssignment`), rebalances when one joins, leaves or goes
/// missing (3 missed heartbeats), and merges their statistics deltas exactly.
public final class MasterCoordinator: ClusterConnectionDelegate, ClusterCoordinating {
    /// What the coordinator tells its controller.
    public enum Event: Sendable, Equatable {
        /// Slaves joined, left, went missing or came back: this many are active now.
        case slavesChanged(active: Int)
        /// Every active slave reached its share of the target; this many users in all.
        case spawningComplete(users: Int)
    }

    /// Lines kept per slave for `GET /logs`.
    static let keptLogLines = 500

    struct Slave {
        var id: String
        var hostname: String
        var connection: ClusterConnection
        var state: RunState
        var userCount: Int
        var lastHeartbeat: ContinuousClock.Instant
        var counts: [String: Int] = [:]
        var cpuUsage = 0.0
        var memoryUsage = 0
        var lastHeartbeatTime = Date().timeIntervalSince1970
        var logs: [String] = []
        var lagMilliseconds = 0
        var lagWarnedAt: ContinuousClock.Instant?
    }

    struct State {
        var slaves: [String: Slave] = [:]
        var runState: RunState = .ready
        var targetUsers = 0
        var rate = 1.0
        var host: String?
        /// The classes of the current test (all when nil).
        var chosenClasses: Set<String>?
        var generation = 0
        var stopTimeout = 0.0
        /// Set when slaves joined, left or went missing; the next tick sends new orders once.
        var needsRebalance = false
        var shuttingDown = false
        /// Fired once every slave answered the current stop.
        var allStopped: StopSignal?
        var onEvent: (@Sendable (Event) -> Void)?
    }

    typealias Outbox = [(ClusterConnection, ClusterMessage)]

    /// The merged statistics of all slaves.
    public let stats: RequestStats
    private let classes: [UserClass]
    /// `--equal-weights`, passed to the slaves in every order.
    private let equalTaskWeights: Bool
    private let pluginClassNames: [String]
    private let fingerprint: String
    private let logger: RunLogger
    private let state = Mutex<State>(State())

    /// Creates a coordinator that runs `classes` of a plugin whose classes are all `pluginClassNames`;
    /// its slaves' users pick their tasks with equal weights when `equalTaskWeights` (`--equal-weights`).
    public init(
        classes: [UserClass], pluginClassNames: [String], fingerprint: String, host: String?, stats: RequestStats,
        logger: RunLogger, equalTaskWeights: Bool = false
    ) {
        self.classes = classes
        self.equalTaskWeights = equalTaskWeights
        self.pluginClassNames = pluginClassNames
        self.fingerprint = fingerprint
        self.state.withLock { $0.host = host }
        self.stats = stats
        self.logger = logger
    }

    // MARK: Queries

    /// Slaves connected and not missing.
    public var activeSlaveCount: Int { state.withLock { $0.slaves.values.filter { $0.state != .missing }.count } }

    /// The users the slaves report running.
    public var userCount: Int { state.withLock { $0.slaves.values.filter { $0.state != .missing }.reduce(0) { $0 + $1.userCount } } }

    /// The test's state.
    public var runState: RunState { state.withLock { $0.runState } }

    /// Each slave as the web UI lists it, by id.
    public var workers: [WorkerStatus] {
        state.withLock { state in
            state.slaves.values.sorted { $0.id < $1.id }.map {
                // A slave that stopped is ready for the next test, as Locust shows it.
                WorkerStatus(
                    id: $0.id, hostname: $0.hostname, state: $0.state == .stopped ? .ready : $0.state, userCount: $0.state == .missing ? 0 : $0.userCount,
                    cpuUsage: $0.cpuUsage, memoryUsage: $0.memoryUsage, lastHeartbeat: $0.lastHeartbeatTime,
                    lagMilliseconds: $0.lagMilliseconds)
            }
        }
    }

    /// Each slave's recent log lines, by id (`GET /logs`).
    public var slaveLogs: [String: [String]] {
        state.withLock { state in state.slaves.mapValues(\.logs) }
    }

    /// Calls `handler` with every event from now on (one handler; a later call replaces it).
    public func onEvent(_ handler: @escaping @Sendable (Event) -> Void) {
        state.withLock { $0.onEvent = handler }
    }

    /// The user counts per class that the master has ordered, summed over slaves.
    public var assignedCounts: [String: Int] {
        state.withLock { state in
            var total: [String: Int] = [:]
            for slave in state.slaves.values where slave.state != .missing {
                for (name, count) in slave.counts { total[name, default: 0] += count }
            }
            return total
        }
    }

    // MARK: Orders

    /// Starts (or changes) the test: `users` in total at `rate` users per second, on `host` when
    /// given, of the classes `classNames` (all when nil).
    public func start(users: Int, rate: Double, host: String? = nil, classNames: [String]? = nil) {
        let outbox = state.withLock { state -> Outbox in
            state.targetUsers = users
            state.rate = rate
            if let host { state.host = host }
            if let classNames { state.chosenClasses = Set(classNames) }
            state.runState = .spawning
            return rebalance(&state)
        }
        deliver(outbox)
    }

    /// Stops the test: every slave stops its users and sends its last statistics, then `stopped`.
    /// Returns once all answered, or after `stopTimeout` plus a grace of 15 s.
    public func stop(stopTimeout: Double) async {
        let allStopped = StopSignal()
        let outbox = state.withLock { state -> Outbox in
            state.runState = .stopping
            state.stopTimeout = stopTimeout
            state.generation += 1
            state.allStopped = allStopped
            var outbox: Outbox = []
            for slave in state.slaves.values where slave.state != .missing {
                outbox.append((slave.connection, .stop(stopTimeout: stopTimeout)))
            }
            return outbox
        }
        deliver(outbox)
        checkAllStopped()
        let deadline = Task {
            try? await Task.sleep(for: .seconds(saturating: stopTimeout + 15))
            allStopped.fire("deadline")
        }
        _ = await allStopped.wait()
        deadline.cancel()
        let late = state.withLock { state -> [String] in
            state.runState = .stopped
            state.allStopped = nil
            return state.slaves.values.filter { $0.state != .stopped && $0.state != .missing }.map(\.id).sorted()
        }
        if !late.isEmpty {
            logger.warning("No 'stopped' from \(late.joined(separator: ", ")) in time: their last statistics may be missing")
        }
    }

    /// Fires the current stop's signal once no active slave is still stopping.
    private func checkAllStopped() {
        let signal = state.withLock { state -> StopSignal? in
            guard let signal = state.allStopped else { return nil }
            let waiting = state.slaves.values.contains { $0.state != .stopped && $0.state != .missing }
            return waiting ? nil : signal
        }
        signal?.fire("all stopped")
    }

    /// Tells every slave to quit and waits (at most 5 s) until the frames are written and the
    /// connections closed.
    public func quitAll() async {
        let connections = state.withLock { state in
            state.shuttingDown = true
            return state.slaves.values.map(\.connection)
        }
        await withTaskGroup(of: Void.self) { group in
            for connection in connections {
                group.addTask { await connection.sendAndClose(.quit, within: .seconds(5)) }
            }
        }
    }

    /// Sends heartbeats and marks silent slaves missing; call once per heartbeat interval.
    public func tick() {
        let now = ContinuousClock.now
        let limit = Duration.milliseconds(Int64(ClusterProtocol.heartbeatInterval * Double(ClusterProtocol.heartbeatLiveness) * 1000))
        let (outbox, lost) = state.withLock { state -> (Outbox, [String]) in
            var outbox: Outbox = []
            var lost: [String] = []
            for (id, slave) in state.slaves {
                outbox.append((slave.connection, .heartbeat(.init(state: state.runState.locustName, userCount: 0))))
                if slave.state != .missing && now - slave.lastHeartbeat > limit {
                    state.slaves[id]?.state = .missing
                    state.slaves[id]?.userCount = 0
                    state.slaves[id]?.counts = [:]
                    lost.append(id)
                    // If it comes back, it must drop the users that went to others.
                    outbox.append((slave.connection, .stop(stopTimeout: 0)))
                }
            }
            if !lost.isEmpty { state.needsRebalance = true }
            if state.needsRebalance && (state.runState == .spawning || state.runState == .running) {
                outbox += rebalance(&state)
            }
            state.needsRebalance = false
            return (outbox, lost)
        }
        for id in lost.sorted() {
            logger.warning("Slave \(id) failed to send heartbeat, setting state to missing; its users go to the others")
        }
        deliver(outbox)
        if !lost.isEmpty {
            checkAllStopped()
            emit(.slavesChanged(active: activeSlaveCount))
        }
    }

    // MARK: ClusterConnectionDelegate

    public func connectionOpened(_ connection: ClusterConnection) {
        logger.debug("Coordinator connection from \(connection.peer)")
    }

    public func connection(_ connection: ClusterConnection, received message: ClusterMessage) {
        switch message {
        case .ready(let ready):
            admit(ready, on: connection)
        case .heartbeat(let heartbeat):
            guard let id = connection.slaveID else { return refuseUnknown(connection, message) }
            var back = false
            var lagging: Int?
            let outbox = state.withLock { state -> Outbox in
                guard var slave = state.slaves[id] else { return [] }
                slave.lastHeartbeat = .now
                slave.lastHeartbeatTime = Date().timeIntervalSince1970
                slave.userCount = heartbeat.userCount
                if let cpu = heartbeat.cpuUsage, cpu.isFinite { slave.cpuUsage = cpu }
                if let memory = heartbeat.memoryUsage { slave.memoryUsage = memory }
                if let lag = heartbeat.lagMilliseconds {
                    slave.lagMilliseconds = lag
                    if lag >= EngineLagMonitor.threshold,
                        slave.lagWarnedAt.map({ ContinuousClock.now - $0 >= .seconds(EngineLagMonitor.quietSeconds) }) ?? true
                    {
                        slave.lagWarnedAt = .now
                        lagging = lag
                    }
                }
                if slave.state == .missing {
                    slave.state = .ready
                    back = true
                }
                state.slaves[id] = slave
                if back { state.needsRebalance = true }
                return []
            }
            if let lagging {
                logger.warning(
                    "Slave \(id) is falling behind: its users woke up to \(lagging) ms late (CPU starved or overloaded?): its throughput is its own limit")
            }
            if back {
                logger.info("Slave \(id) is back")
                emit(.slavesChanged(active: activeSlaveCount))
            }
            deliver(outbox)
        case .stats(let report):
            guard let id = connection.slaveID else { return refuseUnknown(connection, message) }
            stats.merge(report.snapshot)
            state.withLock { state in
                state.slaves[id]?.lastHeartbeat = .now
                if state.slaves[id]?.state != .missing { state.slaves[id]?.userCount = report.userCount }
            }
        case .logs(let lines):
            guard let id = connection.slaveID else { return refuseUnknown(connection, message) }
            state.withLock { state in
                guard var logs = state.slaves[id]?.logs else { return }
                logs.append(contentsOf: lines.suffix(Self.keptLogLines))
                if logs.count > Self.keptLogLines { logs.removeFirst(logs.count - Self.keptLogLines) }
                state.slaves[id]?.logs = logs
            }
        case .hatching:
            guard let id = connection.slaveID else { return refuseUnknown(connection, message) }
            state.withLock { state in
                if state.slaves[id]?.state != .missing { state.slaves[id]?.state = .spawning }
            }
        case .hatchComplete(let counts):
            guard let id = connection.slaveID else { return refuseUnknown(connection, message) }
            let allDone = state.withLock { state -> Bool in
                guard state.slaves[id]?.state != .missing else { return false }
                state.slaves[id]?.state = .running
                state.slaves[id]?.userCount = counts.values.reduce(0, +)
                let active = state.slaves.values.filter { $0.state != .missing }
                if state.runState == .spawning && active.allSatisfy({ $0.state == .running }) {
                    state.runState = .running
                    return true
                }
                return false
            }
            if allDone {
                let counts = assignedCounts
                let parts = classes.map { "\"\($0.name)\": \(counts[$0.name] ?? 0)" }.joined(separator: ", ")
                let total = counts.values.reduce(0, +)
                logger.info("All users spawned: {\(parts)} (\(total) total users)")
                emit(.spawningComplete(users: total))
            }
        case .stopped:
            guard let id = connection.slaveID else { return refuseUnknown(connection, message) }
            state.withLock { state in
                if state.slaves[id]?.state != .missing {
                    state.slaves[id]?.state = .stopped
                    state.slaves[id]?.userCount = 0
                }
            }
            checkAllStopped()
        case .quit:
            guard connection.slaveID != nil else { return refuseUnknown(connection, message) }
            remove(connection, reason: "quit")
            connection.close()
        case .accepted, .reject, .hatch, .stop:
            logger.warning("Closing connection from \(connection.peer): '\(message.typeName)' is a master's message")
            connection.close()
        }
    }

    public func connectionClosed(_ connection: ClusterConnection, error: (any Error)?) {
        if connection.slaveID != nil {
            remove(connection, reason: error.map(ConnectionErrorText.describe) ?? "disconnected")
        } else if let error {
            logger.warning("Closed coordinator connection from \(connection.peer): \(ConnectionErrorText.describe(error))")
        }
    }

    // MARK: Internals

    private func admit(_ ready: ClusterMessage.Ready, on connection: ClusterConnection) {
        let names = pluginClassNames
        var refusal: String?
        if ready.version != ClusterProtocol.version {
            refusal = "protocol version \(ready.version), but this master speaks version \(ClusterProtocol.version): use the same SwiftLocust build"
        } else if ready.userClasses != names {
            refusal = "its plugin has user classes [\(ready.userClasses.joined(separator: ", "))], the master's has [\(names.joined(separator: ", "))]: run the same plugin file"
        } else if ready.pluginFingerprint != fingerprint {
            refusal = "its plugin is another build (fingerprint \(ready.pluginFingerprint), the master's is \(fingerprint)): copy the master's plugin file to the slave"
        } else if connection.slaveID != nil {
            refusal = "it already said ready"
        }
        let duplicate = state.withLock { $0.slaves[ready.slaveID] != nil }
        if refusal == nil && duplicate {
            refusal = "a slave with id \(ready.slaveID) is already connected"
        }
        if let refusal {
            logger.error("Refused slave \(ready.slaveID) from \(connection.peer): \(refusal)")
            connection.send(.reject(reason: refusal), thenClose: true)
            return
        }
        connection.slaveID = ready.slaveID
        let (outbox, count) = state.withLock { state -> (Outbox, Int) in
            state.slaves[ready.slaveID] = Slave(
                id: ready.slaveID, hostname: ready.hostname, connection: connection, state: .ready, userCount: 0,
                lastHeartbeat: .now)
            // A slave joining a running test gets its share at the next tick, with any others joining too.
            state.needsRebalance = true
            return ([(connection, .accepted(slaveID: ready.slaveID))], state.slaves.values.filter { $0.state != .missing }.count)
        }
        logger.info("Slave \(ready.slaveID) (\(ready.hostname), \(connection.peer)) connected. \(count) slaves connected.")
        deliver(outbox)
        emit(.slavesChanged(active: count))
    }

    private func remove(_ connection: ClusterConnection, reason: String) {
        guard let id = connection.slaveID else { return }
        let (outbox, removed, count) = state.withLock { state -> (Outbox, Bool, Int) in
            guard let slave = state.slaves[id], slave.connection === connection else { return ([], false, 0) }
            if state.shuttingDown {
                state.slaves[id] = nil
                return ([], false, 0)
            }
            state.slaves[id] = nil
            if slave.state != .missing { state.needsRebalance = true }
            return ([], !state.shuttingDown, state.slaves.values.filter { $0.state != .missing }.count)
        }
        guard removed else { return }
        logger.info("Slave \(id) left (\(reason)). \(count) slaves connected.")
        deliver(outbox)
        checkAllStopped()
        emit(.slavesChanged(active: count))
    }

    private func refuseUnknown(_ connection: ClusterConnection, _ message: ClusterMessage) {
        logger.warning("Closing connection from \(connection.peer): '\(message.typeName)' before 'ready'")
        connection.close()
    }

    /// New orders for every active slave; call with the lock held, deliver the result after.
    private func rebalance(_ state: inout State) -> Outbox {
        let active = state.slaves.values.filter { $0.state != .missing }.sorted { $0.id < $1.id }
        guard !active.isEmpty else {
            logger.warning("No slaves connected: users start when slaves join")
            return []
        }
        state.generation += 1
        let chosen = state.chosenClasses
        let weights = classes.map { chosen == nil || chosen?.contains($0.name) == true ? $0.weight : 0 }
        let assignment = ClusterAssignment.assign(total: state.targetUsers, weights: weights, slaves: active.count)
        var outbox: Outbox = []
        for (index, slave) in active.enumerated() {
            var counts: [String: Int] = [:]
            for (classIndex, userClass) in classes.enumerated() { counts[userClass.name] = assignment[index][classIndex] }
            let share = state.targetUsers > 0 ? Double(assignment[index].reduce(0, +)) / Double(state.targetUsers) : 0
            let rate = max(state.rate * share, 0.001)
            guard slave.counts != counts || state.slaves[slave.id]?.state == .stopped else { continue }
            state.slaves[slave.id]?.counts = counts
            state.slaves[slave.id]?.state = .spawning
            outbox.append((slave.connection, .hatch(.init(
                counts: counts, rate: rate, host: state.host, generation: state.generation,
                equalTaskWeights: equalTaskWeights ? true : nil))))
        }
        if state.runState == .running && !outbox.isEmpty { state.runState = .spawning }
        return outbox
    }

    private func emit(_ event: Event) {
        state.withLock { $0.onEvent }?(event)
    }

    private func deliver(_ outbox: Outbox) {
        for (connection, message) in outbox { connection.send(message) }
    }
}
