import Foundation
import LocustAPI
import LocustStats

/// What the one-file HTML report is made of (`GET /stats/report`, `--html`): the controller's statistics,
/// the per-second history the charts draw, and the classes' task ratios.
struct ReportSource: Sendable {
    let controller: any RunController
    let charts: ChartHistory
    let classes: [UserClass]
    /// The plugin file's name.
    let locustfile: String
    /// When this process started (seconds since 1970).
    let startedAt: Double

    /// The classes of the current (or last) test with their weights, for the task ratio.
    var taskRatioClasses: [TaskRatioClass] {
        let chosen = Set(controller.status().userClasses)
        return classes.filter { chosen.contains($0.name) }.map { userClass in
            TaskRatioClass(
                name: userClass.name, weight: userClass.weight, tasks: userClass.tasks.map { .init(name: $0.name, weight: $0.weight) })
        }
    }

    /// The report's HTML, in the `light` or `dark` theme.
    func html(theme: String, download: Bool = false) -> String {
        HTMLReport(
            snapshot: controller.stats.snapshot(), history: charts.reportPoints, taskRatio: taskRatioClasses,
            host: controller.status().host, locustfile: locustfile, startTime: startedAt, endTime: Date().timeIntervalSince1970,
            theme: theme, chartJS: WebFrontend.chartJS, showDownloadLink: download
        ).render()
    }

    /// Writes the report to `path` (`--html`), logging the outcome.
    func write(to path: String, logger: RunLogger) {
        do {
            try html(theme: "light").write(toFile: path, atomically: true, encoding: .utf8)
            logger.info("Wrote the HTML report to \(path)")
        } catch {
            logger.error("cannot write the HTML report to \(path): \(error)")
        }
    }
}
