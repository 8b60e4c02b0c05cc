import Foundation
import LocustAPI
import LocustStats

/// A headless master: waits for `--expect-slaves`, orders the users, merges statistics, stops the
/// slaves at `-t` or Ctrl-C and prints the summary once their last reports are in.
struct MasterRun {
    let settings: RunSettings
    let cluster: ClusterSettings
    let plugin: LoadedPlugin
    let classes: [UserClass]
    let logger: RunLogger

    /// Runs the test; throws `RunnerError` for bad input found on the way (CSV path, port in use).
    func run() async throws -> Int32 {
        let stats = RequestStats()
        let reporter = try RunReporter(stats: stats, settings: settings, logger: logger)
        let coordinator = MasterCoordinator(
            classes: classes, pluginClassNames: plugin.userClasses.map(\.name), fingerprint: plugin.fingerprint, host: settings.host, stats: stats, logger: logger)
        let server = try CoordinatorServer(host: cluster.masterBindHost, port: cluster.masterBindPort, delegate: coordinator)
        logger.info("Starting master, listening for slaves on \(cluster.masterBindHost):\(server.port)")
        let stop = StopSignal()
        let trap = SignalTrap { name in
            logger.info("Received \(name), shutting down")
            stop.fire(name)
        }
        let heartbeat = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(ClusterProtocol.heartbeatInterval))
                coordinator.tick()
            }
        }
        defer { heartbeat.cancel() }

        // Wait for the expected slaves.
        let waitDeadline = ContinuousClock.now + .milliseconds(Int64(cluster.expectSlavesMaxWait * 1000))
        var announced = -1
        while coordinator.activeSlaveCount < cluster.expectSlaves && !stop.isFired {
            let connected = coordinator.activeSlaveCount
            if connected != announced {
                logger.info("Waiting for slaves to be ready, \(connected) of \(cluster.expectSlaves) connected")
                announced = connected
            }
            if ContinuousClock.now >= waitDeadline {
                LocustMain.printError(
                    "gave up waiting for \(cluster.expectSlaves) slaves after \(PythonStyle.number(cluster.expectSlavesMaxWait)) s: \(connected) connected. Start them with: locust -f \(plugin.path) --slave --master-host <this host>")
                await coordinator.quitAll()
                await server.shutdown()
                return 1
            }
            try? await Task.sleep(for: .milliseconds(50))
        }
        if stop.isFired {
            await coordinator.quitAll()
            await server.shutdown()
            return reporter.finish()
        }

        logger.info("Ramping to \(settings.users) users at a rate of \(PythonStyle.number(settings.spawnRate)) per second over \(coordinator.activeSlaveCount) slaves")
        stats.reset()
        coordinator.start(users: settings.users, rate: settings.spawnRate)
        reporter.armRunTime(stop)
        let resetDone = SpawnFlag()
        let ticker = reporter.ticker(userCount: { coordinator.userCount }) {
            if settings.resetStats && !resetDone.isSet && coordinator.runState == .running {
                resetDone.set()
                reporter.reset()
            }
        }

        _ = await stop.wait()
        logger.info("Stopping \(coordinator.activeSlaveCount) slaves")
        await coordinator.stop(stopTimeout: settings.stopTimeout)
        ticker.cancel()
        let code = reporter.finish()
        await coordinator.quitAll()
        await server.shutdown()
        _ = trap
        return code
    }
}
