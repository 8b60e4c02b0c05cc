import Foundation
import LocustStats

/// What a run shows and writes while it goes and when it ends: the history every second, the table
/// every 2 s, then the summary, the CSV files and the exit code. Standalone runs and masters share it.
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

    /// Resets statistics and history (`--reset-stats` once all users are spawned).
    func reset() {
        logger.info("Resetting stats")
        stats.reset()
        history.reset()
    }

    /// Runs the periodic work until cancelled; `everySecond` runs first each second.
    func ticker(userCount: @escaping @Sendable () -> Int, everySecond: @escaping @Sendable () -> Void) -> Task<Void, Never> {
        Task {
            var second = 0
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(1))
                if Task.isCancelled { break }
                second += 1
                everySecond()
                let snapshot = stats.snapshot()
                let rows = history.rows(for: snapshot, userCount: userCount(), at: Date().timeIntervalSince1970)
                if let csv {
                    do { try csv.appendHistory(rows) } catch { logger.error("cannot append to the history file: \(error)") }
                }
                if settings.printTable && second % 2 == 0 {
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

    /// Fires `stop` after `-t`, if given.
    func armRunTime(_ stop: StopSignal) {
        guard let runTime = settings.runTime else { return }
        logger.info("Run time limit set to \(PythonStyle.number(runTime)) seconds")
        let logger = self.logger
        Task {
            try? await Task.sleep(for: .milliseconds(Int64(runTime * 1000)))
            if !stop.isFired { logger.info("--run-time limit reached, shutting down") }
            stop.fire("run time")
        }
    }
}
