@_spi(Runner) import LocustAPI
import LocustStats
import Synchronization

/// The recorder of one open-model instance: its requests go to the statistics with two times, the
/// response time measured from the iteration's intended start and the service time (the request's
/// own). The rule: an iteration's lateness (its actual start minus its intended start) is added to the
/// **first** request it records, whose response time then runs from the intended start; the requests
/// after it are timed as they are (their wait is the iteration's own work, not the schedule's).
/// Exceptions go through the process's ``StatsRecorder`` (logged once per kind).
final class IterationRecorder: RequestRecorder {
    private let stats: RequestStats
    private let exceptions: StatsRecorder
    /// The lateness still to add, in nanoseconds (0 once the iteration's first request took it).
    private let lateness = Atomic<UInt64>(0)

    init(stats: RequestStats, exceptions: StatsRecorder) {
        self.stats = stats
        self.exceptions = exceptions
    }

    /// An iteration starts `nanoseconds` after its intended start (0 clears what is left).
    func setLateness(nanoseconds: UInt64) {
        lateness.store(nanoseconds, ordering: .relaxed)
    }

    func recordRequest(method: String, name: String, responseTime: Double, contentLength: Int, error: String?) {
        let late = lateness.exchange(0, ordering: .relaxed)
        stats.recordOpenModel(
            method: method, name: name, responseTime: responseTime + Double(late) / 1_000_000, serviceTime: responseTime,
            contentLength: contentLength, error: error)
    }

    func recordInterruptedRequest(method: String, name: String) {
        stats.recordInterrupted()
    }

    func recordException(message: String, location: String) {
        exceptions.recordException(message: message, location: location)
    }
}
