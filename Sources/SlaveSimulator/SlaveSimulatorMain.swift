import Foundation
@_spi(Runner) import LocustAPI
import LocustRunner
import NIOCore
import NIOPosix

/// `locust-slave-sim`: many simulated slaves in one process, to measure a master at scale.
@main
struct SlaveSimulatorMain {
    static func main() async {
        let options: SimulatorOptions
        do {
            options = try SimulatorOptions.parse(Array(CommandLine.arguments.dropFirst()))
        } catch {
            switch error {
            case .help:
                print(SimulatorOptions.usage)
                return
            case .usage(let message):
                FileHandle.standardError.write(Data("locust-slave-sim: \(message)\n\n\(SimulatorOptions.usage)\n".utf8))
                exit(2)
            }
        }
        if options.codecBenchmark {
            CodecBenchmark.run(names: options.names, samples: options.benchmarkSamples, rounds: 200)
            return
        }
        exit(await run(options))
    }

    static func run(_ options: SimulatorOptions) async -> Int32 {
        let plugin: LoadedPlugin
        do {
            plugin = try PluginLoader.load(path: options.plugin)
        } catch {
            FileHandle.standardError.write(Data("locust-slave-sim: \(error)\n".utf8))
            return 2
        }
        let classNames = plugin.classNames
        let hostname = ProcessInfo.processInfo.hostName
        print("locust-slave-sim: \(options.slaves) slaves -> \(options.masterHost):\(options.masterPort), plugin \(options.plugin) (fingerprint \(plugin.fingerprint), classes \(classNames.joined(separator: ", "))), \(options.names) request names, \(options.rpsPerUser) req/s per user")

        let group = MultiThreadedEventLoopGroup(numberOfThreads: options.threads)
        let tally = SimulatorTally()
        let traffic = SyntheticTraffic(names: options.names, rpsPerUser: options.rpsPerUser, failRatio: options.failRatio)
        let shared = ReportCache(traffic: traffic, maxAge: .seconds(1), seed: 42)
        let caches = (0..<options.slaves).map { index in
            options.uniqueReports ? ReportCache(traffic: traffic, maxAge: .zero, seed: UInt64(index) + 1) : shared
        }
        let info = ClusterMessage.SlaveInfo(
            protocolVersion: ClusterProtocol.version, pluginFingerprint: plugin.fingerprint, userClasses: classNames,
            hostname: hostname, userCount: 0, lagMilliseconds: 0)
        let slaves = (0..<options.slaves).map { index in
            SimulatedSlave(
                index: index, id: "sim-\(index)_\(randomHex())", info: info,
                reports: caches[index], loop: group.next(), tally: tally, verbose: options.verbose)
        }
        let clock = ContinuousClock()
        let started = clock.now
        let usageAtStart = CPUUsage.current()

        // Connect, `connectConcurrency` attempts in flight; refused attempts are retried (the master may
        // be starting) until `connectTimeout`.
        let connectDeadline = clock.now + .milliseconds(Int64(options.connectTimeout * 1000))
        await withTaskGroup(of: Void.self) { tasks in
            var next = 0
            func launch(_ slave: SimulatedSlave) {
                tasks.addTask {
                    var attempt = 0
                    while true {
                        do {
                            try await connect(slave, host: options.masterHost, port: options.masterPort)
                            return
                        } catch {
                            attempt += 1
                            if clock.now >= connectDeadline {
                                if options.verbose || slave.index == 0 {
                                    print("slave \(slave.id): cannot connect after \(attempt) attempts: \(error)")
                                }
                                slave.connectFailed()
                                return
                            }
                            try? await Task.sleep(for: .milliseconds(250))
                        }
                    }
                }
            }
            while next < slaves.count && next < options.connectConcurrency {
                launch(slaves[next])
                next += 1
            }
            while await tasks.next() != nil {
                if next < slaves.count {
                    launch(slaves[next])
                    next += 1
                }
            }
        }
        let connectedAfter = started.duration(to: clock.now)
        print("connected \(tally.value(tally.connected)) of \(options.slaves) in \(seconds(connectedAfter)) s")

        // Run until every slave was told to quit (or lost its connection), or `--duration` runs out.
        var announcedAccepted = false
        let deadline = options.duration > 0 ? started + .milliseconds(Int64(options.duration * 1000)) : nil
        while tally.value(tally.finished) < options.slaves {
            if !announcedAccepted && tally.value(tally.accepted) + tally.value(tally.rejected) + tally.value(tally.connectFailures) >= options.slaves {
                announcedAccepted = true
                print("accepted \(tally.value(tally.accepted)) of \(options.slaves) after \(seconds(started.duration(to: clock.now))) s")
            }
            if let deadline, clock.now >= deadline {
                print("--duration \(options.duration) s reached: the remaining slaves quit")
                for slave in slaves where !slave.isFinished { slave.quit() }
                try? await Task.sleep(for: .milliseconds(200))
                break
            }
            try? await Task.sleep(for: .milliseconds(50))
        }
        let elapsed = started.duration(to: clock.now)
        try? await group.shutdownGracefully()
        let usage = CPUUsage.current() - usageAtStart

        print("""
            slaves: \(options.slaves), connected \(tally.value(tally.connected)), accepted \(tally.value(tally.accepted)), rejected \(tally.value(tally.rejected)), connect failures \(tally.value(tally.connectFailures))
            orders: spawn \(tally.value(tally.spawnOrders)) (spawning_complete sent \(tally.value(tally.spawnCompletes))), stop \(tally.value(tally.stopOrders)) (client_stopped sent \(tally.value(tally.stoppedSent))), quit \(tally.value(tally.quits)), closed without quit \(tally.value(tally.closedWithoutQuit))
            stats reports sent: \(tally.value(tally.statsSent)) (\(tally.value(tally.samples)) synthetic requests; \(options.uniqueReports ? tally.value(tally.statsSent) : shared.built) reports built, \(options.uniqueReports ? tally.value(tally.statsSent) : shared.encoded) encoded; slave 0's last stats payload \(tally.value(tally.statsFrameBytes)) bytes, largest \(tally.value(tally.largestStatsFrameBytes)) bytes)
            heartbeats: sent \(tally.value(tally.heartbeatsSent)), received from the master \(tally.value(tally.masterHeartbeats))
            simulator CPU: \(String(format: "%.2f", usage.user + usage.system)) s (user \(String(format: "%.2f", usage.user)), sys \(String(format: "%.2f", usage.system))) over \(seconds(elapsed)) s
            """)
        let healthy = tally.value(tally.accepted) == options.slaves && tally.value(tally.rejected) == 0
            && tally.value(tally.closedWithoutQuit) == 0
        return healthy ? 0 : 1
    }

    /// Connects one slave over ZMTP (`ZMTPDealerHandler.swift`) and returns once its handshake is over.
    static func connect(_ slave: SimulatedSlave, host: String, port: Int) async throws {
        let handshake = slave.loop.makePromise(of: Void.self)
        let bootstrap = ClientBootstrap(group: slave.loop)
            .connectTimeout(.seconds(3))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ZMTPGreetingHandler())
                    try channel.pipeline.syncOperations.addHandler(
                        ByteToMessageHandler(ZMTPDealerDecoder(identity: slave.id, maxMessageSize: ClusterProtocol.maxMessageSize)))
                    try channel.pipeline.syncOperations.addHandler(SimulatedSlaveHandler(slave: slave, handshake: handshake))
                }
            }
        do {
            _ = try await bootstrap.connect(host: host, port: port).get()
        } catch {
            handshake.fail(error)
            throw error
        }
        try await handshake.futureResult.get()
    }

    /// 32 random lowercase hex digits (Locust's `uuid4().hex`).
    static func randomHex() -> String {
        (0..<2).map { _ in
            let text = String(UInt64.random(in: 0...UInt64.max), radix: 16)
            return String(repeating: "0", count: 16 - text.count) + text
        }.joined()
    }

    static func seconds(_ duration: Duration) -> String {
        let (whole, attoseconds) = duration.components
        return String(format: "%.1f", Double(whole) + Double(attoseconds) / 1e18)
    }
}

/// This process's CPU time.
struct CPUUsage {
    var user: Double
    var system: Double

    static func current() -> CPUUsage {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return CPUUsage(
            user: Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6,
            system: Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6)
    }

    static func - (lhs: CPUUsage, rhs: CPUUsage) -> CPUUsage {
        CPUUsage(user: lhs.user - rhs.user, system: lhs.system - rhs.system)
    }
}
