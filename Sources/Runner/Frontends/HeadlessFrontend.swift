import Foundation
import LocustStats

/// The command line as a front end of a run controller: start `-u/-r/-t` at once (a master first
/// waits for `--expect-slaves`), print the table every 2 s, stop at `-t`, Ctrl-C or when every user
/// ended, then print the summary and exit.
struct HeadlessFrontend {
    let controller: any RunController
    let reporter: RunReporter
    let request: StartRequest
    let logger: RunLogger
    /// On a master: how many slaves to wait for, and for how long.
    var expectSlaves: (count: Int, within: Duration, startHint: String)?
    /// `--html PATH`: the report to write at the end, and what it is made of.
    var htmlReport: (path: String, source: ReportSource)?
    /// On a master, the master's own controller (`controller` may be a ``ShapedRunController`` over it).
    var master: MasterRunController?

    /// The users the test asked for, for the summary's "no request completed" check: an open-model test
    /// asks for iterations, which counts as asking.
    private var usersAsked: Int {
        request.arrival == nil ? controller.status().targetUsers : 1
    }

    /// Runs the test and returns the exit code.
    func run() async -> Int32 {
        let events = controller.events.subscribe()
        let controller = self.controller
        let interrupted = StopSignal()
        let reporter = self.reporter
        let trap = SignalTrap(beforeExit: { reporter.writeFinalFiles() }) { name in
            interrupted.fire(name)
            Task {
                if let master { await master.cancelSlaveWaits() }
                await controller.stop(reason: .signal(name))
            }
        }
        defer { _ = trap }
        let charts = htmlReport?.source.charts
        let ticker = reporter.ticker(printTable: reporter.settings.printTable, userCount: { controller.status().userCount }) {
            snapshot, users, now in
            charts?.record(snapshot, userCount: users, test: controller.status().testIndex, at: now)
            if let failed = reporter.abortingThreshold(snapshot, now: now), controller.status().state.isActive {
                Task { await controller.stop(reason: .thresholdFailed(failed.line)) }
            }
        }
        defer { ticker.cancel() }

        if let expect = expectSlaves, let master {
            logger.info("Waiting for slaves to be ready, \(master.status().workerCount) of \(expect.count) connected")
            let ready = await master.waitForSlaves(expect.count, within: expect.within)
            if !ready {
                if interrupted.isFired { return reporter.finish(usersAsked: usersAsked) }
                LocustMain.printError(
                    "gave up waiting for \(expect.count) slaves after \(PythonStyle.number(expect.within.seconds)) s: \(master.status().workerCount) connected. \(expect.startHint)")
                return 1
            }
        }
        if interrupted.isFired { return reporter.finish(usersAsked: usersAsked) }
        do {
            try await controller.start(request)
        } catch {
            LocustMain.printError(error.message)
            return LocustMain.usageExitCode
        }
        // A signal between the check above and the start found nothing to stop: stop now.
        if interrupted.isFired { await controller.stop(reason: .signal(await interrupted.wait())) }
        for await event in events {
            switch event {
            case .statsReset: reporter.resetHistory()
            case .testStopped:
                if let htmlReport { await htmlReport.source.write(to: htmlReport.path, logger: logger) }
                return reporter.finish(usersAsked: usersAsked)
            default: continue
            }
        }
        return reporter.finish(usersAsked: usersAsked)
    }

}
