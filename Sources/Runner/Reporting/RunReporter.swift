import Foundation
import LocustStats
import Synchronization

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
    /// Seconds of a test before `--threshold-abort` may stop it.
    static let thresholdAbortDelay = 10.0
    /// The whole second of the last history block written (a final block in the same second is not
    /// written again).
    private let lastHistorySecond = Mutex<Int?>(nil)

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

    /// Runs the periodic work until cancelled: every second the history, the CSV files (rewritten, as
    /// Locust's `CSV_STATS_INTERVAL_SEC`, so a killed run leaves its figures) and `onSecond` with the
    /// snapshot, the user count and the time; every 2 s the table when `printTable`.
    ///
    /// Ticks fall half a second off the whole seconds from the start, so a `-t` of whole seconds ends
    /// between two tables instead of printing one just before the summary.
    func ticker(
        printTable: Bool, userCount: @escaping @Sendable () -> Int,
        onSecond: @escaping @Sendable (StatsSnapshot, Int, Double) -> Void = { _, _, _ in }
    ) -> Task<Void, Never> {
        Task {
            var second = 0
            let start = ContinuousClock.now
            while !Task.isCancelled {
                second += 1
                try? await Task.sleep(until: start + .milliseconds(1000 * second - 500), clock: .continuous)
                if Task.isCancelled { break }
                let snapshot = stats.snapshot()
                let users = userCount()
                let now = Date().timeIntervalSince1970
                onSecond(snapshot, users, now)
                if let csv {
                    let rows = history.rows(for: snapshot, userCount: users, at: now)
                    do {
                        try csv.appendHistory(rows)
                        lastHistorySecond.withLock { $0 = Int(now) }
                        try csv.write(snapshot)
                    } catch {
                        logger.error("cannot write the CSV files: \(error)")
                    }
                }
                if printTable && second % 2 == 0 {
                    let table = console.statsTable(snapshot, current: true)
                    if settings.jsonStdout { FileHandle.standardError.write(Data(table.utf8)) } else { StandardOutput.write(table) }
                }
            }
        }
    }

    /// Writes the CSV files, logs the exit code, prints the summary (in Locust's order) and returns the code.
    ///
    /// A test that asked for users (`usersAsked`) in which no request completed fails too, with a line
    /// that says so: a target that accepts connections and never answers is no green run.
    func finish(usersAsked: Int) -> Int32 {
        let final = stats.snapshot()
        writeFinalFiles(final)
        let interrupted = final.interruptedRequests
        let silent = usersAsked > 0 && final.total.numRequests == 0
        if silent {
            logger.error(
                "No request completed during the test\(interrupted > 0 ? " (\(interrupted) were still waiting for an answer when it stopped)" : ""): is the target answering?")
        }
        let failed = final.total.numFailures > 0 || !final.exceptions.isEmpty || silent
        let thresholds = settings.thresholds.map { $0.evaluate(final) }
        let crossed = thresholds.contains { !$0.passed }
        // A failed threshold has its own code (3), apart from failures (1) and bad input (2).
        let code: Int32 = crossed ? RunSettings.thresholdExitCode : failed ? settings.exitCodeOnError : 0
        for result in thresholds where !result.passed { logger.error("Threshold failed: \(result.line)") }
        logger.info("Shutting down (exit code \(code))")
        if let path = settings.jsonFile {
            do {
                try LocustJSON.finalStats(final).write(toFile: path, atomically: true, encoding: .utf8)
            } catch {
                logger.error("cannot write --json-file \(path): \(error)")
            }
        }
        // One blank line after each table, as Locust prints them (each table's text ends with it).
        let errors = console.errorReport(final)
        var summary = console.statsTable(final, current: false) + console.percentileTable(final) + console.openModelReport(final)
            + (errors.isEmpty ? "" : errors + "\n")
        summary += ThresholdResult.report(thresholds)
        if interrupted > 0 {
            summary += "\n\(interrupted) request\(interrupted == 1 ? " was" : "s were") in flight when the users were stopped: cut off, not counted above (--stop-timeout lets them finish)\n"
        }
        if settings.jsonStdout {
            // `--json`: standard output holds only the JSON; the tables go to standard error.
            FileHandle.standardError.write(Data(summary.utf8))
            StandardOutput.write(LocustJSON.finalStats(final) + "\n")
        } else {
            StandardOutput.write(summary)
        }
        return code
    }

    /// The first upper-bound threshold (`<`, `<=`) that `snapshot` fails, for `--threshold-abort`: latency
    /// and failure limits, which only get harder to meet; lower bounds (`rps>`) wait for the end.
    /// Not before the test's first 10 s, while a few early requests decide the percentiles.
    func abortingThreshold(_ snapshot: StatsSnapshot, now: Double) -> ThresholdResult? {
        guard settings.thresholdAbort, now - snapshot.total.startTime >= Self.thresholdAbortDelay else { return nil }
        return settings.thresholds
            .filter { $0.comparison == .less || $0.comparison == .lessOrEqual }
            .map { $0.evaluate(snapshot) }
            .first { !$0.passed && $0.measured != nil }
    }

    /// The last history block (unless one was written in this second already) and the CSV files.
    /// Also what a second Ctrl-C writes before the process exits.
    func writeFinalFiles(_ final: StatsSnapshot? = nil) {
        guard let csv else { return }
        let final = final ?? stats.snapshot()
        let now = Date().timeIntervalSince1970
        do {
            let repeated = lastHistorySecond.withLock { $0 == Int(now) }
            if !repeated { try csv.appendHistory(history.rows(for: final, userCount: 0, at: now)) }
            lastHistorySecond.withLock { $0 = Int(now) }
            try csv.write(final)
            csv.close()
        } catch {
            logger.error("cannot write the CSV files: \(error)")
        }
    }
}
