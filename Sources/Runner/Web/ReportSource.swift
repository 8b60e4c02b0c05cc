import Foundation
@_spi(Runner) import LocustAPI
import LocustStats

/// What the one-file HTML report is made of (`GET /stats/report`, `--html`): the controller's statistics,
/// the per-second history the charts draw, and the classes' task ratios.
struct ReportSource: Sendable {
    let controller: any RunController
    let charts: ChartHistory
    let classes: [UserClass]
    /// The plugin file's name.
    let locustfile: String

    /// The classes of the current (or last) test (Locust's `/swarm` replaces its user classes with the
    /// chosen ones), weighed by the users running of each, as Locust's `/tasks` and report weigh them;
    /// before any user runs, by the classes' weights, so the ratio says what a start would do.
    func taskRatioClasses() async -> [TaskRatioClass] {
        let counts = await controller.userClassCounts()
        let running = counts.values.reduce(0, +) > 0
        let chosen = Set(controller.status().userClasses)
        return classes.filter { chosen.contains($0.name) }.map { userClass in
            TaskRatioClass(
                name: userClass.name, weight: running ? counts[userClass.name] ?? 0 : userClass.weight,
                tasks: userClass.tasks.map { TaskRatioClass.Task($0) })
        }
    }

    /// The report's HTML, in the `light` or `dark` theme; `download` when it is sent as a file (it then
    /// has no link to download itself).
    func html(theme: String, download: Bool = false) async -> String {
        let snapshot = controller.stats.snapshot()
        return HTMLReport(
            snapshot: snapshot, history: charts.reportPoints, taskRatio: await taskRatioClasses(), host: controller.status().host,
            locustfile: locustfile, startTime: snapshot.total.startTime,
            endTime: snapshot.total.lastRequestTimestamp ?? Date().timeIntervalSince1970,
            theme: theme, chartJS: WebFrontend.chartJS, showDownloadLink: !download
        ).render()
    }

    /// Writes the report to `path` (`--html`), logging the outcome.
    func write(to path: String, logger: RunLogger) async {
        do {
            try await html(theme: "light", download: true).write(toFile: path, atomically: true, encoding: .utf8)
            logger.info("Wrote the HTML report to \(path)")
        } catch {
            logger.error("cannot write the HTML report to \(path): \(error)")
        }
    }
}
