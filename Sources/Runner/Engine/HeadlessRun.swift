import Foundation
import LocustAPI
import LocustStats

/// A standalone test without the web UI: spawn, run until `-t` or Ctrl-C, stop, report.
///
/// Data flows one way: users → `RequestStats` → the console table, the history and the CSV files.
struct HeadlessRun {
    let settings: RunSettings
    let classes: [UserClass]
    let logger: RunLogger

    func run() async -> Int32 {
        let stats = RequestStats()
        let recorder = StatsRecorder(stats: stats)
        let engine = HTTPEngine.shared
        let spawner = UserSpawner(classes: classes, host: settings.host, engine: engine, recorder: recorder, logger: logger)
        let history = StatsHistory(fullHistory: settings.csvFullHistory)
        let console = ConsoleReport(nameWidth: TerminalSize.statsNameWidth)
        let csv: CSVWriter?
        do {
            csv = try settings.csvPrefix.map { try CSVWriter(prefix: $0) }
        } catch {
            LocustMain.printError("cannot write the CSV files: \(error)")
            return LocustMain.usageExitCode
        }

        let stop = StopSignal()
        let trap = SignalTrap { name in
            logger.info("Received \(name), shutting down")
            stop.fire(name)
        }
        let counts = UserDistribution.counts(total: settings.users, weights: classes.map(\.weight))
        logger.info("Ramping to \(settings.users) users at a rate of \(PythonStyle.number(settings.spawnRate)) per second")
        if let runTime = settings.runTime {
            logger.info("Run time limit set to \(PythonStyle.number(runTime)) seconds")
            Task {
                try? await Task.sleep(for: .milliseconds(Int64(runTime * 1000)))
                if !stop.isFired { logger.info("--run-time limit reached, shutting down") }
                stop.fire("run time")
            }
        }
        let spawningDone = SpawnFlag()
        let spawning = Task {
            let reached = await spawner.spawn(target: counts, rate: settings.spawnRate)
            if reached {
                let byClass = await spawner.countsByClass
                let parts = classes.map { "\"\($0.name)\": \(byClass[$0.name] ?? 0)" }.joined(separator: ", ")
                logger.info("All users spawned: {\(parts)} (\(settings.users) total users)")
                if settings.resetStats {
                    logger.info("Resetting stats")
                    stats.reset()
                    history.reset()
                }
            }
            spawningDone.set()
        }
        let ticker = Task {
            var second = 0
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(1))
                if Task.isCancelled { break }
                second += 1
                let now = Date().timeIntervalSince1970
                let snapshot = stats.snapshot()
                let rows = history.rows(for: snapshot, userCount: spawner.aliveCount, at: now)
                if let csv {
                    do { try csv.appendHistory(rows) } catch { logger.error("cannot append to the history file: \(error)") }
                }
                if settings.printTable && second % 2 == 0 {
                    StandardOutput.write(console.statsTable(snapshot, current: true) + "\n")
                }
                if spawningDone.isSet && settings.users > 0 && spawner.aliveCount == 0 {
                    logger.info("All users have stopped by themselves, shutting down")
                    stop.fire("all users stopped")
                }
            }
        }

        _ = await stop.wait()
        spawning.cancel()
        await spawner.stopAll(timeout: settings.stopTimeout)
        ticker.cancel()
        _ = trap

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

import Synchronization
