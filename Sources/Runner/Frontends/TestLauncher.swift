import Foundation
@_spi(Runner) import LocustAPI
import LocustStats

/// Builds the run controller for this process's role (standalone or master) and the front end that
/// drives it (the command line when headless, else the web UI), runs them, and returns the exit code.
struct TestLauncher {
    let settings: RunSettings
    let cluster: ClusterSettings
    let web: WebSettings
    let plugin: LoadedPlugin
    let classes: [UserClass]
    let logger: RunLogger

    func run() async throws -> Int32 {
        // The open model has no user count for a shape to set: a plugin's default shape stays out of it.
        let shape = settings.arrival == nil ? try settings.shapeSelection.resolve(plugin.shapes) : nil
        let stats = RequestStats()
        let runners = logger.named("locust.runners")
        let reporter = try RunReporter(stats: stats, settings: settings, logger: logger)
        let infos = classes.map { LocalRunController.ClassInfo(name: $0.name, weight: $0.weight, host: $0.host, fixedCount: $0.fixedCount) }
        let request = StartRequest(
            users: settings.users, spawnRate: settings.spawnRate, host: settings.host,
            runTime: settings.runTime.map { Duration.seconds(saturating: $0) }, arrival: settings.arrival)
        switch cluster.role {
        case .master:
            let coordinator = MasterCoordinator(
                classes: plugin.userClasses, fingerprint: plugin.fingerprint, host: settings.host, stats: stats,
                logger: runners, equalTaskWeights: settings.equalWeights, stopTimeout: settings.stopTimeout,
                tags: settings.tagFilter.tags?.sorted(), excludeTags: settings.tagFilter.excludeTags?.sorted(), pluginPath: plugin.path)
            let port = try coordinator.listen(host: cluster.masterBindHost, port: cluster.masterBindPort, token: cluster.token, tls: cluster.tls)
            if !cluster.isAuthenticated && !["127.0.0.1", "::1", "localhost"].contains(cluster.masterBindHost) {
                runners.warning(
                    cluster.tls == nil
                        ? "The master listens on \(cluster.masterBindHost):\(port) without --cluster-token: anyone who reaches it can join the test (keep it so only for Locust's own workers, or bind 127.0.0.1)"
                        : "The master listens on \(cluster.masterBindHost):\(port) with TLS but without --cluster-token or --cluster-tls-ca: anyone who reaches it can join the test")
            }
            // Logged once nothing more can fail at start-up (with the UI: once its port is bound), so that a
            // bad flag or a port in use is the only line printed.
            let startup = [
                "Starting SwiftLocust \(LocustABI.productVersion)",
                "Starting master, listening for slaves on \(cluster.masterBindHost):\(port)",
            ]
            if settings.headless { startup.forEach { logger.info($0) } }
            let heartbeat = Task {
                let start = ContinuousClock.now
                var beat = 0
                while !Task.isCancelled {
                    beat += 1
                    try? await Task.sleep(until: start + .seconds(ClusterProtocol.heartbeatInterval * Double(beat)), clock: .continuous)
                    coordinator.tick()
                }
            }
            let controller = MasterRunController(
                classes: infos, coordinator: coordinator, stats: stats, host: settings.host, stopTimeout: settings.stopTimeout,
                resetStatsWhenSpawned: settings.resetStats, logger: runners)
            await controller.useHooks(TestHookRunner(hooks: plugin.hooks, role: .master, stats: stats, logger: runners))
            await controller.useScenarioOptions(plugin.options, values: settings.scenarioOptions)
            await controller.attach()
            let driven = shaped(controller, by: shape)
            let expect = (
                count: cluster.expectSlaves, within: Duration.seconds(saturating: cluster.expectSlavesMaxWait),
                startHint: "Start them with: locust -f \(plugin.path) --slave --master-host <this host>")
            let code: Int32
            if settings.headless {
                code = await HeadlessFrontend(
                    controller: driven, reporter: reporter, request: request, logger: logger, expectSlaves: expect,
                    htmlReport: htmlReport(driven), master: controller
                ).run()
            } else {
                code = try await WebFrontend(
                    controller: driven, reporter: reporter, settings: settings, web: web, plugin: plugin,
                    classes: classes, logger: logger, autostart: web.autostart ? request : nil, expectSlaves: expect,
                    master: controller, slaveLogs: { coordinator.slaveLogs }, startupLines: startup
                ).run()
            }
            heartbeat.cancel()
            await coordinator.quitAll()
            return code
        case .standalone, .slave:
            let spawner = UserSpawner(
                classes: classes, host: settings.host, engine: .shared, recorder: StatsRecorder(stats: stats, logger: logger.named("locust.user.task")), logger: runners,
                httpOverride: settings.httpOverride, equalTaskWeights: settings.equalWeights)
            let controller = LocalRunController(
                classes: infos, spawner: spawner, stats: stats, host: settings.host, stopTimeout: settings.stopTimeout,
                resetStatsWhenSpawned: settings.resetStats, logger: runners)
            await controller.useHooks(TestHookRunner(hooks: plugin.hooks, role: .standalone, stats: stats, logger: runners))
            await controller.useScenarioOptions(plugin.options, values: settings.scenarioOptions)
            await controller.attach()
            let driven = shaped(controller, by: shape)
            let monitor = EngineLagMonitor(logger: runners)
            let lagWatch = Task {
                let start = ContinuousClock.now
                var second = 0
                while !Task.isCancelled {
                    second += 1
                    try? await Task.sleep(until: start + .seconds(second), clock: .continuous)
                    monitor.check()
                }
            }
            defer { lagWatch.cancel() }
            let startup = "Starting SwiftLocust \(LocustABI.productVersion)"
            if settings.headless {
                logger.info(startup)
                return await HeadlessFrontend(
                    controller: driven, reporter: reporter, request: request, logger: logger, htmlReport: htmlReport(driven)
                ).run()
            }
            return try await WebFrontend(
                controller: driven, reporter: reporter, settings: settings, web: web, plugin: plugin, classes: classes,
                logger: logger, autostart: web.autostart ? request : nil, expectSlaves: nil, slaveLogs: { [:] },
                startupLines: [startup]
            ).run()
        }
    }

    /// `controller`, driven by `shape` when there is one.
    private func shaped(_ controller: any RunController, by shape: LoadShape?) -> any RunController {
        guard let shape else { return controller }
        return ShapedRunController(inner: controller, shape: shape, logger: logger.named("locust.runners"))
    }

    /// `--html PATH` on a headless run: the report's path and its source.
    private func htmlReport(_ controller: any RunController) -> (path: String, source: ReportSource)? {
        web.htmlReport.map { path in
            (path, ReportSource(
                controller: controller, charts: ChartHistory(), classes: classes,
                locustfile: URL(fileURLWithPath: plugin.path).lastPathComponent))
        }
    }
}
