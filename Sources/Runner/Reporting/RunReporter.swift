import Foundation
import LocustStats

/// What a process shows and writes while it runs and when it ends: the history every second, the table
/// every 2 s (headless), then the summary, the CSV files and the exit code. Every front end shares it;
/// it holds no control logic (the run controller owns timers and state).
final class RunReporter: Sendable {
    let stats: RequestStats
    let settings: RunSettings
    let logger: RunLogger
    let history: StatsHistory
    let csv: CSVWriter?
    let console = ConsoleReport(nameWidth: TerminalSize.statsNameWidth)

    init(stats: RequestStats, settings: RunSettings, logger: RunLogger) throws {
        self.stats = stats
        self.settings = settings
        self.logger = logger
        history = StatsHistory(fullHistory: settings.csvFullHistory)
        do {
            csv = try settings.csvPrefix.map { try CSVWriter(prefix: $0) }
        } catch {
            throw RunnerError.badInput("cannot write the CSV files: \(error)")
        }
    }

    /// Forgets the history's running window (after the statistics were reset).
    func resetHistory() {
        history.reset()
    }

    /// Runs the periodic work until cancelled: every second the history (and `onSecond` with the
    /// snapshot, the user count and the time), every 2 s the table when `printTable`.
    func ticker(
        printTable: Bool, userCount: @escaping @Sendable () -> Int,
        onSecond: @escaping @Sendable (StatsSnapshot, Int, Double) -> Void = { _, _, _ in }
    ) -> Task<Void, Never> {
        Task {
            var second = 0
            let start = ContinuousClock.now
            while !Task.isCancelled {
                second += 1
                try? await Task.sleep(until: start + .seconds(second), clock: .continuous)
                if Task.isCancelled { break }
                let snapshot = stats.snapshot()
                let users = userCount()
                let now = Date().timeIntervalSince1970
                onSecond(snapshot, users, now)
                let rows = history.rows(for: snapshot, userCount: users, at: now)
                if let csv {
                    do { try csv.appendHistory(rows) } catch { logger.error("cannot append to the history file: \(error)") }
                }
                if printTable && second % 2 == 0 {
                    StandardOutput.write(console.statsTable(snapshot, current: true) + "\n")
                }
            }
        }
    }

    /// Prints the summary, writes the CSV files and returns the exit code.
    func finish() -> Int32 {
        let final = stats.snapshot()
        if let csv {
            do {
                try csv.appendHistory(history.rows(for: final, userCount: 0, at: Date().timeIntervalSince1970))
                try csv.write(final)
                csv.close()
            } catch {
                logger.error("cannot write the CSV files: \(error)")
            }
        }
        StandardOutput.write(
            console.statsTable(final, current: false) + "\n\n" + console.percentileTable(final) + "\n\n"
                + console.errorReport(final) + "\n")
        let failed = final.total.numFailures > 0 || !final.exceptions.isEmpty
        let code: Int32 = failed ? settings.exitCodeOnError : 0
        logger.info("Shutting down (exit code \(code))")
        return code
    }
}
