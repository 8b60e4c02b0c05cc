@_spi(Runner) import LocustAPI
import LocustStats

/// What the web server's routes read and drive: the controller, the reporter's files, the charts, the
/// logs, and the plugin's classes.
struct WebEnvironment: Sendable {
    let controller: any RunController
    let reporter: RunReporter
    let charts: ChartHistory
    let logger: RunLogger
    /// Each slave's recent log lines (a master's; empty standalone).
    let slaveLogs: @Sendable () -> [String: [String]]
    let classes: [UserClass]
    /// The plugin file's name, as Locust names its locustfile in downloads.
    let locustfile: String
    let settings: RunSettings
    let web: WebSettings
    let report: ReportSource
    /// The scenario's own options, for the form's "Custom parameters".
    var scenarioOptions: [ScenarioOption] = []
    /// `GET /stats/requests` kept for a second, as Locust memoizes it (for 2 s): a thousand pollers
    /// then cost one snapshot a second. Cleared on every controller event, so a stop shows at once.
    let statsCache = ResponseCache(lifetime: .seconds(1))
}
