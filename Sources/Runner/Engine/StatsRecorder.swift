import LocustAPI
import LocustStats

/// Feeds the requests and exceptions that users report into the statistics.
final class StatsRecorder: RequestRecorder {
    let stats: RequestStats

    init(stats: RequestStats) {
        self.stats = stats
    }

    func recordRequest(method: String, name: String, responseTime: Double, contentLength: Int, error: String?) {
        stats.record(method: method, name: name, responseTime: responseTime, contentLength: contentLength, error: error)
    }

    func recordException(message: String, location: String) {
        stats.recordException(message: message, location: location)
    }
}
