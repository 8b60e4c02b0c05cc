import Foundation
import LocustAPI
import LocustStats
import Synchronization

/// A standalone test without the web UI: spawn, run until `-t` or Ctrl-C, stop, report.
///
/// Data flows one way: users → `RequestStats` → the console table, the history and the CSV files.
struct HeadlessRun {
    let settings: RunSettings
    let classes: [UserClass]
    let logger: RunLogger

    /// Runs the test; throws `RunnerError` for bad input found on the way (CSV path, port in use).
    func run() async throws -> Int32 {
        let stats = RequestStats()
        let reporter = try RunReporter(stats: stats, settings: settings, logger: logger)
        let spawner = UserSpawner(
            classes: classes, host: settings.host, engine: .shared, recorder: StatsRecorder(stats: stats), logger: logger)
        let stop = StopSignal()
        let trap = SignalTrap { name in
            logger.info("Received \(name), shutting down")
            stop.fire(name)
        }
        let counts = UserDistribution.counts(total: settings.users, weights: classes.map(\.weight))
        logger.info("Ramping to \(settings.users) users at a rate of \(PythonStyle.number(settings.spawnRate)) per second")
        reporter.armRunTime(stop)
        let spawningDone = SpawnFlag()
        let spawning = Task {
            if await spawner.spawn(target: counts, rate: settings.spawnRate) {
                let byClass = await spawner.countsByClass
                let parts = classes.map { "\"\($0.name)\": \(byClass[$0.name] ?? 0)" }.joined(separator: ", ")
                logger.info("All users spawned: {\(parts)} (\(settings.users) total users)")
                if settings.resetStats { reporter.reset() }
            }
            spawningDone.set()
        }
        let users = settings.users
        let ticker = reporter.ticker(userCount: { spawner.aliveCount }) {
            if spawningDone.isSet && users > 0 && spawner.aliveCount == 0 {
                logger.info("All users have stopped by themselves, shutting down")
                stop.fire("all users stopped")
            }
        }

        _ = await stop.wait()
        spawning.cancel()
        await spawner.stopAll(timeout: settings.stopTimeout)
        ticker.cancel()
        _ = trap
        return reporter.finish()
    }
}

/// Set once when the first ramp-up finished.
final class SpawnFlag: Sendable {
    private let flag = Mutex<Bool>(false)
    func set() { flag.withLock { $0 = true } }
    var isSet: Bool { flag.withLock { $0 } }
}

/// Writes to standard output at once (no buffering between the table and the log lines).
enum StandardOutput {
    static func write(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }
}

/// Numbers as Python prints them in Locust's log lines: `10` for 10.0, `2.5` otherwise.
enum PythonStyle {
    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }
}

/// The terminal's width, for the console table.
enum TerminalSize {
    /// Locust's `STATS_NAME_WIDTH`: 80 when not a terminal, else the columns past 80 (at least 30 here).
    static var statsNameWidth: Int {
        var size = winsize()
        if ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 {
            return max(30, ConsoleReport.nameWidth(terminalColumns: Int(size.ws_col)))
        }
        return 80
    }
}
