import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
@_spi(Runner) import LocustAPI
import LocustStats
import Logging
import NIOCore
import NIOSSL

/// The web UI as a front end of a run controller: serves the page and Locust's HTTP API until Ctrl-C
/// (or `--autoquit` seconds after a test ends), starts at once with `--autostart`, then prints the
/// summary, writes the CSV files (and `--html`) and returns the exit code.
struct WebFrontend {
    let controller: any RunController
    let reporter: RunReporter
    let settings: RunSettings
    let web: WebSettings
    let plugin: LoadedPlugin
    let classes: [UserClass]
    let logger: RunLogger
    /// `--autostart`: the test to start at once.
    let autostart: StartRequest?
    /// On a master, the slaves an autostart waits for.
    let expectSlaves: (count: Int, within: Duration, startHint: String)?
    /// On a master, the master's own controller (`controller` may be a ``ShapedRunController`` over it).
    var master: MasterRunController? = nil
    let slaveLogs: @Sendable () -> [String: [String]]
    /// Lines to log once the UI's port is bound (before, a failure is the only line printed).
    var startupLines: [String] = []

    /// Where Debian's libjs-chart.js puts Chart.js.
    static let chartJSPath = "/usr/share/javascript/chart.js/chart.min.js"
    /// Chart.js, read once (nil when libjs-chart.js is not installed: the UI then draws no charts).
    static let chartJS: String? = try? String(contentsOfFile: chartJSPath, encoding: .utf8)

    /// Hummingbird's own log: only its critical lines (ours say what the server does).
    static var serverLogger: Logger {
        var logger = Logger(label: "locust.web")
        logger.logLevel = .critical
        return logger
    }

    func run() async throws -> Int32 {
        let charts = ChartHistory()
        let locustfile = URL(fileURLWithPath: plugin.path).lastPathComponent
        let report = ReportSource(
            controller: controller, charts: charts, classes: classes, locustfile: locustfile)
        let environment = WebEnvironment(
            controller: controller, reporter: reporter, charts: charts, logger: logger.named("locust.web"), slaveLogs: slaveLogs,
            classes: classes,
            locustfile: locustfile, settings: settings, web: web, report: report, scenarioOptions: plugin.options)
        let routes = WebRoutes(environment: environment)
        let router = Router(context: BasicRequestContext.self)
        if let auth = web.auth { router.add(middleware: BasicAuthMiddleware(user: auth.user, password: auth.password)) }
        routes.register(on: router)

        let bound = StopSignal()
        let app = Application(
            router: router, server: try serverBuilder(),
            configuration: ApplicationConfiguration(address: .hostname(web.host, port: web.port), serverName: nil, backlog: 1024),
            onServerRunning: { channel in bound.fire("\(channel.localAddress?.port ?? web.port)") },
            logger: Self.serverLogger)
        let serverTask = Task { try await app.run() }
        let failure = Task {
            do { try await serverTask.value } catch { bound.fire("error: \(ConnectionErrorText.describe(error))") }
        }
        let answer = await bound.wait()
        if answer.hasPrefix("error: ") {
            throw RunnerError.badInput("cannot serve the web UI on \(web.host):\(web.port): \(answer.dropFirst(7))")
        }
        for line in startupLines { self.logger.info(line) }
        let scheme = web.tlsCert == nil ? "http" : "https"
        let shownHost = web.host == "0.0.0.0" || web.host.isEmpty ? "0.0.0.0" : web.host
        logger.info("Starting web interface at \(scheme)://\(shownHost):\(answer)\(web.basePath)/")
        if Self.chartJS == nil {
            logger.warning("Chart.js not found at \(Self.chartJSPath) (apt-get install libjs-chart.js): the web UI draws no charts")
        }

        let exit = StopSignal()
        let reporter = self.reporter
        let trap = SignalTrap(beforeExit: { reporter.writeFinalFiles() }) { name in exit.fire(name) }
        defer { _ = trap }
        let controller = self.controller
        let ticker = reporter.ticker(printTable: false, userCount: { controller.status().userCount }) { snapshot, users, now in
            charts.record(snapshot, userCount: users, test: controller.status().testIndex, at: now)
            if let failed = reporter.abortingThreshold(snapshot, now: now), controller.status().state.isActive {
                Task { await controller.stop(reason: .thresholdFailed(failed.line)) }
            }
        }
        let autoquit = web.autoquit
        let logger = self.logger
        let events = controller.events.subscribe()
        let statsCache = environment.statsCache
        let watcher = Task {
            for await event in events {
                statsCache.clear()
                switch event {
                case .statsReset:
                    reporter.resetHistory()
                case .testStarted(let index):
                    let status = controller.status()
                    charts.testStarted(index: index, at: Date().timeIntervalSince1970, targetUsers: status.targetUsers, host: status.host)
                case .testStopped:
                    charts.testStopped(at: Date().timeIntervalSince1970)
                    if let autoquit {
                        logger.info("--autoquit: exiting in \(autoquit) seconds")
                        Task {
                            try? await Task.sleep(for: .seconds(autoquit))
                            exit.fire("autoquit")
                        }
                    }
                default:
                    continue
                }
            }
        }
        if let autostart {
            Task { await startAutomatically(autostart, exit: exit) }
        }

        let reason = await exit.wait()
        if reason != "autoquit" && reason != "failed" { logger.info("Received \(reason), shutting down") }
        if let master { await master.cancelSlaveWaits() }
        await controller.stop(reason: .signal(reason))
        ticker.cancel()
        watcher.cancel()
        // The server is not shut down: the process exits right after the summary. Cancelling it while
        // clients poll traps in NIO (a connection accepted during the shutdown drops its writer
        // unfinished: NIOAsyncWriter's deinit precondition), and its sockets close with the process.
        _ = failure
        if let path = web.htmlReport { await report.write(to: path, logger: logger) }
        // An open-model test asks for iterations, which counts as asking for users.
        let asked = autostart?.arrival != nil && controller.status().testIndex == 1 ? 1 : controller.status().targetUsers
        return reason == "failed" ? 1 : reporter.finish(usersAsked: asked)
    }

    private func startAutomatically(_ request: StartRequest, exit: StopSignal) async {
        if let expect = expectSlaves, let master {
            logger.info("Waiting for slaves to be ready, \(master.status().workerCount) of \(expect.count) connected")
            guard await master.waitForSlaves(expect.count, within: expect.within) else {
                if exit.isFired { return }
                LocustMain.printError(
                    "gave up waiting for \(expect.count) slaves after \(PythonStyle.number(expect.within.seconds)) s: \(master.status().workerCount) connected. \(expect.startHint)")
                exit.fire("failed")
                return
            }
        }
        do {
            try await controller.start(request)
        } catch {
            LocustMain.printError(error.message)
            exit.fire("failed")
        }
    }

    private func serverBuilder() throws -> HTTPServerBuilder {
        guard let cert = web.tlsCert, let key = web.tlsKey else { return .http1() }
        do {
            let chain = try NIOSSLCertificate.fromPEMFile(cert).map { NIOSSLCertificateSource.certificate($0) }
            let privateKey = try NIOSSLPrivateKey(file: key, format: .pem)
            let configuration = TLSConfiguration.makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(privateKey))
            return try .tls(.http1(), tlsConfiguration: configuration)
        } catch {
            throw RunnerError.badInput("cannot use --tls-cert '\(cert)' with --tls-key '\(key)': \(error)")
        }
    }
}
