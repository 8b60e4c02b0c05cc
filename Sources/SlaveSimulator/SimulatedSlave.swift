import Foundation
import LocustRunner
import LocustStats
import NIOCore
import Synchronization

/// One simulated slave: speaks the coordinator protocol like `SlaveRunner` (Locust 2.x's messages,
/// one ZMTP frame each, the same timers) but runs no users; its statistics reports come from a
/// `ReportCache`.
final class SimulatedSlave: Sendable {
    struct State {
        var channel: (any Channel)?
        /// Locust's state name, for the heartbeats.
        var runState = "ready"
        /// Users the slave pretends to run (the last spawn target, 0 after stop), and per class.
        var users = 0
        var counts: [String: Int] = [:]
        /// The test of the last spawn order, which every statistics report names.
        var test: String?
        var lastSpawnTimestamp = 0.0
        var spawnGeneration = 0
        var pendingSpawn: Scheduled<Void>?
        var timer: RepeatedTask?
        var ticks = 0
        /// Whether the master acknowledged the last `client_ready`; ever, for the tally.
        var acked = false
        /// The master said it reads only the exact part of reports (a SwiftLocust master): reports go lean.
        var exactOnly = false
        var everAcked = false
        /// Ticks since the last `client_ready` (sent again every 5 s until an `ack`, as Locust does).
        var ticksSinceReady = 0
        var finished = false
    }

    let index: Int
    /// The node id and socket identity, Locust's form: `sim-<index>_<32 hex>`.
    let id: String
    /// Who the slave says it is in every heartbeat (`userCount` is set for each).
    let info: ClusterMessage.SlaveInfo
    /// The event loop of this slave's connection and timers.
    let loop: any EventLoop
    private let nodeIDSuffix: [UInt8]
    private let reports: ReportCache
    private let tally: SimulatorTally
    private let verbose: Bool
    private let state = Mutex(State())

    init(index: Int, id: String, info: ClusterMessage.SlaveInfo, reports: ReportCache, loop: any EventLoop, tally: SimulatorTally, verbose: Bool) {
        self.index = index
        self.id = id
        self.info = info
        self.reports = reports
        self.loop = loop
        self.tally = tally
        self.verbose = verbose
        nodeIDSuffix = ReportCache.nodeIDSuffix(id)
    }

    var isFinished: Bool { state.withLock { $0.finished } }

    /// Ends this slave on our side (when `--duration` runs out): as SlaveRunner shuts down, a last
    /// statistics delta (once acknowledged), then quit, then closes.
    func quit() {
        let (channel, last) = state.withLock { state -> ((any Channel)?, (users: Int, test: String?)?) in
            guard !state.finished else { return (nil, nil) }
            state.finished = true
            state.timer?.cancel()
            state.pendingSpawn?.cancel()
            return (state.channel, state.acked ? (state.users, state.test) : nil)
        }
        guard let channel else { return }
        tally.add(tally.finished)
        if let last { sendReport(requestsOf: last.users, userCount: 0, counts: [:], test: last.test, on: channel) }
        let frame = ZMTP.messageFrame(ClusterMessageCodec.encode(.quit, nodeID: id), allocator: channel.allocator)
        channel.writeAndFlush(frame).whenComplete { _ in channel.close(promise: nil) }
    }

    /// Gives up on a slave that never connected.
    func connectFailed() {
        let first = state.withLock { state -> Bool in
            defer { state.finished = true }
            return !state.finished
        }
        if first {
            tally.add(tally.connectFailures)
            tally.add(tally.finished)
        }
    }

    // MARK: Sending

    private func send(_ message: ClusterMessage, on channel: any Channel) {
        channel.writeAndFlush(ZMTP.messageFrame(ClusterMessageCodec.encode(message, nodeID: id), allocator: channel.allocator), promise: nil)
    }

    private func heartbeatMessage(_ state: State) -> ClusterMessage {
        var info = self.info
        info.userCount = state.users
        return .heartbeat(.init(state: state.runState, cpuUsage: 0, memoryUsage: 0, slave: info))
    }

    /// A statistics delta with the requests of `users` users, reporting `userCount` users.
    private func sendReport(requestsOf users: Int, userCount: Int, counts: [String: Int], test: String?, on channel: any Channel) {
        let payload = reports.payload(
            requestsOf: users, userCount: userCount, counts: counts, test: test, lean: state.withLock { $0.exactOnly },
            nodeID: id, nodeIDSuffix: nodeIDSuffix)
        channel.writeAndFlush(ZMTP.messageFrame(parts: payload.parts, allocator: channel.allocator), promise: nil)
        tally.add(tally.statsSent)
        tally.add(tally.samples, payload.requests)
        if index == 0 {
            tally.statsFrameBytes.store(payload.count, ordering: .relaxed)
            if payload.count > tally.value(tally.largestStatsFrameBytes) { tally.largestStatsFrameBytes.store(payload.count, ordering: .relaxed) }
        }
    }

    /// Heartbeat every second, a statistics delta every `ClusterProtocol.statsInterval` (like
    /// `SlaveRunner.tick`), and `client_ready` again every 5 s until the master acknowledges it.
    private func tick() {
        let statsEvery = max(1, Int(ClusterProtocol.statsInterval))
        let (channel, heartbeat, resendReady, report) = state.withLock {
            state -> ((any Channel)?, ClusterMessage, Bool, (users: Int, counts: [String: Int], test: String?)?) in
            state.ticks += 1
            state.ticksSinceReady += 1
            let resendReady = !state.acked && state.ticksSinceReady >= 5
            if resendReady { state.ticksSinceReady = 0 }
            // Statistics only once acknowledged, as SlaveRunner (a delta the master drops would be lost).
            let report = state.acked && state.ticks % statsEvery == 0 ? (state.users, state.counts, state.test) : nil
            return (state.finished ? nil : state.channel, heartbeatMessage(state), resendReady, report)
        }
        guard let channel else { return }
        if resendReady { send(.clientReady(version: ClusterProtocol.locustVersion), on: channel) }
        send(heartbeat, on: channel)
        tally.add(tally.heartbeatsSent)
        if let report { sendReport(requestsOf: report.users, userCount: report.users, counts: report.counts, test: report.test, on: channel) }
    }

    // MARK: Connection events (from SimulatedSlaveHandler, on `loop`)

    /// The ZMTP handshake is over: `client_ready`, then a heartbeat at once (so that the master admits
    /// this slave without waiting a second), then the timers.
    func opened(_ channel: any Channel) {
        tally.add(tally.connected)
        // Random phases, as real slaves that started at different moments have: the heartbeat within
        // the second, the statistics report within its interval.
        let phase = Int64.random(in: 0..<1000)
        let timer = loop.scheduleRepeatedTask(initialDelay: .milliseconds(phase), delay: .seconds(1)) { [self] _ in tick() }
        let heartbeat = state.withLock { state -> ClusterMessage in
            state.channel = channel
            state.timer = timer
            state.ticks = Int.random(in: 0..<max(1, Int(ClusterProtocol.statsInterval)))
            state.ticksSinceReady = 0
            return self.heartbeatMessage(state)
        }
        send(.clientReady(version: ClusterProtocol.locustVersion), on: channel)
        send(heartbeat, on: channel)
        tally.add(tally.heartbeatsSent)
    }

    func received(_ message: ClusterMessage, on channel: any Channel) {
        switch message {
        case .ack(_, let exactReports):
            let first = state.withLock { state -> Bool in
                defer {
                    state.exactOnly = exactReports
                    state.acked = true
                    state.everAcked = true
                }
                return !state.everAcked
            }
            if first { tally.add(tally.accepted) }
        case .reject(let reason):
            // The master dropped this slave (the ROUTER cannot close the connection): as SlaveRunner,
            // it ends. Its `ack` is not counted as accepted any more.
            let (first, wasAcked) = state.withLock { state -> (Bool, Bool) in
                defer { state.finished = true }
                state.timer?.cancel()
                state.pendingSpawn?.cancel()
                return (!state.finished, state.everAcked)
            }
            tally.add(tally.rejected)
            if wasAcked { tally.add(tally.accepted, -1) }
            if first { tally.add(tally.finished) }
            if verbose || tally.value(tally.rejected) == 1 { print("slave \(id) rejected: \(reason)") }
            channel.close(promise: nil)
        case .masterHeartbeat:
            tally.add(tally.masterHeartbeats)
        case .spawn(let spawn):
            tally.add(tally.spawnOrders)
            spawnOrdered(spawn, on: channel)
        case .stop:
            tally.add(tally.stopOrders)
            let (users, counts, test) = state.withLock { state -> (Int, [String: Int], String?) in
                state.pendingSpawn?.cancel()
                state.pendingSpawn = nil
                state.spawnGeneration += 1
                defer {
                    state.users = 0
                    state.counts = [:]
                    state.runState = "ready"
                    state.ticksSinceReady = 0
                }
                return (state.users, state.counts, state.test)
            }
            // The last delta goes before 'client_stopped', then ready for the next test, as
            // SlaveRunner does (its users are stopped by then: it reports none).
            sendReport(requestsOf: users, userCount: 0, counts: counts.mapValues { _ in 0 }, test: test, on: channel)
            send(.clientStopped, on: channel)
            tally.add(tally.stoppedSent)
            send(.clientReady(version: ClusterProtocol.locustVersion), on: channel)
        case .quit:
            let first = state.withLock { state -> Bool in
                defer { state.finished = true }
                state.timer?.cancel()
                state.pendingSpawn?.cancel()
                return !state.finished
            }
            tally.add(tally.quits)
            if first { tally.add(tally.finished) }
            channel.close(promise: nil)
        case .reconnect:
            // SlaveRunner rebuilds its socket; the master only needs client_ready and a heartbeat again.
            if verbose || index == 0 { print("slave \(id): the master asked for a reconnect; saying client_ready again") }
            let heartbeat = state.withLock { state -> ClusterMessage in
                state.acked = false
                state.ticksSinceReady = 0
                return self.heartbeatMessage(state)
            }
            send(.clientReady(version: ClusterProtocol.locustVersion), on: channel)
            send(heartbeat, on: channel)
        case .masterSpawningComplete:
            break
        case .updateUserClass(let update):
            // It runs no users, so a class edited in a Locust master's UI changes nothing here.
            if verbose || index == 0 { print("slave \(id): the master edited user class \(update.className); nothing to apply") }
        case .other(let type):
            if verbose || index == 0 { print("slave \(id): unknown message type '\(type)' from the master") }
        case .clientReady, .heartbeat, .stats, .spawning, .spawningComplete, .clientStopped, .exception, .logs, .hookFailed, .pluginRequest, .plugin:
            print("slave \(id): unexpected '\(message.typeName)' from the master")
        }
    }

    func closed(error: (any Error)?) {
        let first = state.withLock { state -> Bool in
            defer { state.finished = true }
            state.timer?.cancel()
            state.pendingSpawn?.cancel()
            state.channel = nil
            return !state.finished
        }
        guard first else { return }
        tally.add(tally.closedWithoutQuit)
        tally.add(tally.finished)
        if verbose || tally.value(tally.closedWithoutQuit) == 1 {
            print("slave \(id): connection closed without 'quit' (\(error.map { "\($0)" } ?? "clean close"))")
        }
    }

    /// `spawning` at once, `spawning_complete` with the ordered counts once the users would have been
    /// started at the order's rate (at most 30 s later; at once for a Locust master's order, which
    /// has no rate); a newer order or a stop cancels it. An order not newer than the last is dropped
    /// after its `spawning`, as Locust's workers do.
    private func spawnOrdered(_ spawn: ClusterMessage.Spawn, on channel: any Channel) {
        let target = spawn.counts.values.reduce(0, +)
        let accepted = state.withLock { state -> (generation: Int, delay: Double)? in
            guard spawn.timestamp > state.lastSpawnTimestamp else { return nil }
            state.lastSpawnTimestamp = spawn.timestamp
            state.pendingSpawn?.cancel()
            if let order = spawn.order { state.test = order.test }
            let added = max(0, target - state.users)
            state.users = target
            state.counts = spawn.counts
            state.runState = "spawning"
            state.spawnGeneration += 1
            let rate = spawn.order?.rate ?? 0
            let delay = rate > 0 ? min(Double(added) / rate, 30) : 0
            return (state.spawnGeneration, delay)
        }
        send(.spawning, on: channel)
        guard let (generation, delay) = accepted else {
            if verbose { print("slave \(id): dropped a spawn order not newer than the last") }
            return
        }
        let scheduled = loop.scheduleTask(in: .milliseconds(Int64(delay * 1000))) { [self] in
            let current = state.withLock { state -> Bool in
                guard state.spawnGeneration == generation, !state.finished else { return false }
                state.runState = "running"
                state.pendingSpawn = nil
                return true
            }
            guard current else { return }
            send(.spawningComplete(counts: spawn.counts, userCount: target), on: channel)
            tally.add(tally.spawnCompletes)
        }
        state.withLock { state in
            if state.spawnGeneration == generation { state.pendingSpawn = scheduled }
        }
    }
}

/// A simulated slave's end of the pipeline, after the ZMTP handlers: completes `handshake` when the
/// ZMTP handshake is over (or fails it if the connection ends first or it takes over 5 s), then
/// decodes the master's messages for the slave.
final class SimulatedSlaveHandler: ChannelInboundHandler {
    typealias InboundIn = ZMTPInbound

    private let slave: SimulatedSlave
    private let handshake: EventLoopPromise<Void>
    private var open = false
    private var done = false
    private var error: (any Error)?
    private var handshakeTimeout: Scheduled<Void>?

    init(slave: SimulatedSlave, handshake: EventLoopPromise<Void>) {
        self.slave = slave
        self.handshake = handshake
    }

    func channelActive(context: ChannelHandlerContext) {
        let channel = context.channel
        handshakeTimeout = context.eventLoop.assumeIsolated().scheduleTask(in: .seconds(5)) { [self] in
            if error == nil { error = ZMTPError.handshakeTimeout }
            channel.close(promise: nil)
        }
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .handshakeComplete:
            handshakeTimeout?.cancel()
            open = true
            done = true
            slave.opened(context.channel)
            handshake.succeed()
        case .message(let bytes):
            do {
                slave.received(try ClusterMessageCodec.decode(bytes, direction: .toWorker).message, on: context.channel)
            } catch {
                self.error = error
                context.close(promise: nil)
            }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if self.error == nil { self.error = error }
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        handshakeTimeout?.cancel()
        if open {
            slave.closed(error: error)
        } else if !done {
            done = true
            handshake.fail(error ?? ZMTPError.closedDuringHandshake)
        }
        context.fireChannelInactive()
    }
}
