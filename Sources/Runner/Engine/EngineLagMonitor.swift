@_spi(Runner) import LocustAPI
import Synchronization

/// Warns when the load collapses because this process falls behind (users woken late: a starved core,
/// too many users for the machine), as Locust warns above 90 % CPU; a starved process shows low CPU, so
/// lateness is the signal. A slave also reports its lag to the master in every heartbeat.
final class EngineLagMonitor: Sendable {
    /// Lateness worth a warning (ms): paced users a fifth of a second late are no longer the load asked for.
    static let threshold = 200
    /// At most one warning per this many seconds.
    static let quietSeconds = 60

    private struct State {
        var lastWarning: ContinuousClock.Instant?
        var lastLag = 0
        var warnings = 0
    }

    private let lateness: @Sendable () -> Int
    private let logger: RunLogger
    private let state = Mutex(State())

    /// Watches `engine`'s lateness.
    convenience init(engine: HTTPEngine = .shared, logger: RunLogger) {
        self.init(lateness: { engine.takeWorstLatenessMilliseconds() }, logger: logger)
    }

    /// Watches what `lateness` reports (ms since its previous call): the engine, or a test's numbers.
    init(lateness: @escaping @Sendable () -> Int, logger: RunLogger) {
        self.lateness = lateness
        self.logger = logger
    }

    /// The worst lag of the last second (ms); call once a second.
    var lastLag: Int { state.withLock { $0.lastLag } }

    /// Warnings logged so far.
    var warnings: Int { state.withLock { $0.warnings } }

    /// Reads the engine's lateness since the previous call, warns if it is past the threshold (at most
    /// once a minute) and returns it in milliseconds.
    @discardableResult
    func check(now: ContinuousClock.Instant = .now) -> Int {
        let lag = lateness()
        let warn = state.withLock { state -> Bool in
            state.lastLag = lag
            guard lag >= Self.threshold else { return false }
            if let last = state.lastWarning, now - last < .seconds(Self.quietSeconds) { return false }
            state.lastWarning = now
            state.warnings += 1
            return true
        }
        if warn {
            logger.warning(
                "The load generator is falling behind: users woke up to \(lag) ms late in the last second (CPU starved or overloaded?). The throughput and response times now show this machine's limit, not the target's")
        }
        return lag
    }
}
