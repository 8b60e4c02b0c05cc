@_spi(Runner) import LocustAPI
import LocustStats
import Synchronization

/// Feeds the requests and exceptions that users report into the statistics, and logs each new task
/// error once (at ERROR, with its `Class.task` location), its repeats at DEBUG, so a new scenario can be
/// debugged from the console as in Locust.
final class StatsRecorder: RequestRecorder {
    let stats: RequestStats
    private let logger: RunLogger?
    /// How often each (location, message) was seen, for the log.
    private let seen = Mutex<[String: Int]>([:])
    static let maxKinds = 10_000

    /// The node that raises the exceptions recorded here: `local`, or a slave's id (the master's
    /// exceptions table then lists the slaves that raised each, as Locust's `Nodes` column).
    private let node: String

    init(stats: RequestStats, logger: RunLogger? = nil, node: String = "local") {
        self.stats = stats
        self.logger = logger
        self.node = node
    }

    func recordRequest(method: String, name: String, responseTime: Double, contentLength: Int, error: String?) {
        stats.record(method: method, name: name, responseTime: responseTime, contentLength: contentLength, error: error)
    }

    func recordInterruptedRequest(method: String, name: String) {
        stats.recordInterrupted()
    }

    func recordException(message: String, location: String) {
        stats.recordException(message: message, location: location, node: node)
        guard let logger else { return }
        let count = seen.withLock { seen -> Int in
            let key = location + "\u{0}" + message
            // Messages with ids in them could grow this without end: past 10,000 kinds, new ones go to DEBUG.
            guard seen[key] != nil || seen.count < Self.maxKinds else { return 2 }
            seen[key, default: 0] += 1
            return seen[key] ?? 1
        }
        if count == 1 {
            logger.error("\(location) raised: \(message) (repeats are logged at DEBUG)")
        } else {
            logger.debug("\(location) raised: \(message) (\(count) times)")
        }
    }
}
