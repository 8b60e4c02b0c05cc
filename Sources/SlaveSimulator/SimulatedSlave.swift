import Foundation
import LocustRunner
import LocustStats
import NIOCore
import Synchronization

/// One simulated slave: speaks the coordinator protocol like `SlaveRunner` (same messages, same
/// frames, same timers) but runs no users; its statistics reports come from a `ReportCache`.
final class SimulatedSlave: Sendable {
    struct State {
        var channel: (any Channel)?
        var runState = "ready"
        /// Users the slave pretends to run (the last hatch target, 0 after stop).
        var users = 0
        var hatchGeneration = 0
        var pendingHatch: Scheduled<Void>?
        var timer: RepeatedTask?
        var ticks = 0
        var finished = false
    }

    let index: Int
    let ready: ClusterMessage.Ready
    /// The event loop of this slave's connection and timers.
    let loop: any EventLoop
    private let reports: ReportCache
    private let tally: SimulatorTally
    private let verbose: Bool
    private let state = Mutex(State())

    init(index: Int, ready: ClusterMessage.Ready, reports: ReportCache, loop: any EventLoop, tally: SimulatorTally, verbose: Bool) {
        self.index = index
        self.ready = ready
        self.reports = reports
        self.loop = loop
        self.tally = tally
        self.verbose = verbose
    }

    var isFinished: Bool { state.withLock { $0.finished } }

    /// Ends this slave on our side: says quit and closes (when `--duration` runs out).
    func quit() {
        let channel = state.withLock { state -> (any Channel)? in
            guard !state.finished else { return nil }
            state.finished = true
            state.timer?.cancel()
            state.pendingHatch?.cancel()
            return state.channel
        }
        guard let channel else { return }
        tally.add(tally.finished)
        guard let frame = try? ClusterMessage.quit.frame(allocator: channel.allocator) else { return }
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
        guard let frame = try? message.frame(allocator: channel.allocator) else { return }
        channel.writeAndFlush(frame, promise: nil)
    }

    private func sendReport(users: Int, on channel: any Channel) {
        let report = reports.frame(users: users)
        channel.writeAndFlush(report.frame, promise: nil)
        tally.add(tally.statsSent)
        tally.add(tally.samples, report.requests)
        if index == 0 {
            let bytes = report.frame.readableBytes - 4
            tally.statsFrameBytes.store(bytes, ordering: .relaxed)
            if bytes > tally.value(tally.largestStatsFrameBytes) { tally.largestStatsFrameBytes.store(bytes, ordering: .relaxed) }
        }
    }

    /// Heartbeat every second, a statistics delta every third, like `SlaveRunner.tick`.
    private func tick() {
        let (channel, heartbeat, reportUsers) = state.withLock { state -> ((any Channel)?, ClusterMessage, Int?) in
            state.ticks += 1
            let heartbeat = ClusterMessage.heartbeat(.init(state: state.runState, userCount: state.users))
            let report = state.ticks % Int(ClusterProtocol.statsInterval) == 0 ? state.users : nil
            return (state.finished ? nil : state.channel, heartbeat, report)
        }
        guard let channel else { return }
        send(heartbeat, on: channel)
        tally.add(tally.heartbeatsSent)
        if let reportUsers { sendReport(users: reportUsers, on: channel) }
    }

    // MARK: Connection events (from SimulatedSlaveHandler, on `loop`)

    func opened(_ channel: any Channel) {
        tally.add(tally.connected)
        // Random phases, as real slaves that started at different moments have: the heartbeat within
        // the second, the statistics report within its 3 s.
        let phase = Int64.random(in: 0..<1000)
        let timer = loop.scheduleRepeatedTask(initialDelay: .milliseconds(phase), delay: .seconds(1)) { [self] _ in tick() }
        state.withLock { state in
            state.channel = channel
            state.timer = timer
            state.ticks = Int.random(in: 0..<Int(ClusterProtocol.statsInterval))
        }
        send(.ready(ready), on: channel)
    }

    func received(_ message: ClusterMessage, on channel: any Channel) {
        switch message {
        case .accepted:
            tally.add(tally.accepted)
        case .reject(let reason):
            tally.add(tally.rejected)
            if verbose || tally.value(tally.rejected) == 1 { print("slave \(ready.slaveID) rejected: \(reason)") }
        case .heartbeat:
            tally.add(tally.masterHeartbeats)
        case .hatch(let hatch):
            tally.add(tally.hatchOrders)
            hatchOrdered(hatch, on: channel)
        case .stop:
            tally.add(tally.stopOrders)
            let users = state.withLock { state -> Int in
                state.pendingHatch?.cancel()
                state.pendingHatch = nil
                state.hatchGeneration += 1
                defer {
                    state.users = 0
                    state.runState = "stopped"
                }
                return state.users
            }
            // The last delta goes before 'stopped', as SlaveRunner does.
            sendReport(users: users, on: channel)
            send(.stopped, on: channel)
            tally.add(tally.stoppedSent)
        case .quit:
            let first = state.withLock { state -> Bool in
                defer { state.finished = true }
                state.timer?.cancel()
                state.pendingHatch?.cancel()
                return !state.finished
            }
            tally.add(tally.quits)
            if first { tally.add(tally.finished) }
            channel.close(promise: nil)
        case .ready, .hatching, .hatchComplete, .stats, .stopped, .logs:
            print("slave \(ready.slaveID): unexpected '\(message.typeName)' from the master")
        }
    }

    func closed(error: (any Error)?) {
        let first = state.withLock { state -> Bool in
            defer { state.finished = true }
            state.timer?.cancel()
            state.pendingHatch?.cancel()
            state.channel = nil
            return !state.finished
        }
        guard first else { return }
        tally.add(tally.closedWithoutQuit)
        tally.add(tally.finished)
        if verbose || tally.value(tally.closedWithoutQuit) == 1 {
            print("slave \(ready.slaveID): connection closed without 'quit' (\(error.map { "\($0)" } ?? "clean close"))")
        }
    }

    /// `hatching` at once, `hatch_complete` with the ordered counts once the users would have been
    /// started at the ordered rate (at most 30 s later); a newer order or a stop cancels it.
    private func hatchOrdered(_ hatch: ClusterMessage.Hatch, on channel: any Channel) {
        let target = hatch.counts.values.reduce(0, +)
        let (generation, delay) = state.withLock { state -> (Int, Double) in
            state.pendingHatch?.cancel()
            let added = max(0, target - state.users)
            state.users = target
            state.runState = "hatching"
            state.hatchGeneration += 1
            let delay = hatch.rate > 0 ? min(Double(added) / hatch.rate, 30) : 0
            return (state.hatchGeneration, delay)
        }
        send(.hatching, on: channel)
        let scheduled = loop.scheduleTask(in: .milliseconds(Int64(delay * 1000))) { [self] in
            let current = state.withLock { state -> Bool in
                guard state.hatchGeneration == generation, !state.finished else { return false }
                state.runState = "running"
                state.pendingHatch = nil
                return true
            }
            guard current else { return }
            send(.hatchComplete(counts: hatch.counts), on: channel)
            tally.add(tally.hatchCompletes)
        }
        state.withLock { state in
            if state.hatchGeneration == generation { state.pendingHatch = scheduled }
        }
    }
}

/// Decodes a simulated slave's frames (after LocustRunner's `FrameDecoder`) into messages.
final class SimulatedSlaveHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let slave: SimulatedSlave
    private var error: (any Error)?

    init(slave: SimulatedSlave) { self.slave = slave }

    func channelActive(context: ChannelHandlerContext) {
        slave.opened(context.channel)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        let bytes = buffer.readBytes(length: buffer.readableBytes) ?? []
        do {
            slave.received(try ClusterMessage.decode(Data(bytes)), on: context.channel)
        } catch {
            self.error = error
            context.close(promise: nil)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if self.error == nil { self.error = error }
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        slave.closed(error: error)
        context.fireChannelInactive()
    }
}
