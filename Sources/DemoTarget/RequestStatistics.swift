import NIOHTTP1
import Synchronization

/// Counts the requests served since start, in total and per path, per endpoint and per status, for `/stats`.
///
/// Requests to `/stats` itself are not recorded, so a test can read the counts without changing them.
final class RequestStatistics: Sendable {
    /// Distinct paths beyond this many are counted together under `(other)`, so that random URLs
    /// cannot grow memory without bound.
    static let maximumDistinctPaths = 10_000

    /// An endpoint together with the method it was requested with.
    struct EndpointKey: Hashable, Sendable {
        /// The request method's name, e.g. `GET`.
        var method: String
        /// The route that answered.
        var endpoint: DemoEndpoint

        /// `METHOD /pattern`, e.g. `GET /items/{id}`.
        var name: String { "\(method) \(endpoint.pattern)" }
    }

    /// A copy of the counters at one moment.
    struct Snapshot: Equatable, Sendable {
        /// Requests served.
        var requests = 0
        /// Requests per path (without query string).
        var paths: [String: Int] = [:]
        /// Requests per `METHOD /pattern`.
        var endpoints: [String: Int] = [:]
        /// Responses per status code.
        var statuses: [Int: Int] = [:]
    }

    private struct Counters {
        var requests = 0
        var paths: [String: Int] = [:]
        var endpoints: [EndpointKey: Int] = [:]
        var statuses: [Int: Int] = [:]
    }

    private let counters = Mutex(Counters())

    /// Creates counters at zero.
    init() {}

    /// Counts one served request.
    func record(path: String, method: HTTPMethod, endpoint: DemoEndpoint, status: Int) {
        counters.withLock { counters in
            counters.requests += 1
            if counters.paths[path] != nil || counters.paths.count < Self.maximumDistinctPaths {
                counters.paths[path, default: 0] += 1
            } else {
                counters.paths["(other)", default: 0] += 1
            }
            counters.endpoints[EndpointKey(method: method.rawValue, endpoint: endpoint), default: 0] += 1
            counters.statuses[status, default: 0] += 1
        }
    }

    /// The counters as they are now.
    func snapshot() -> Snapshot {
        let counters = self.counters.withLock { $0 }
        var endpoints: [String: Int] = [:]
        for (key, count) in counters.endpoints { endpoints[key.name, default: 0] += count }
        return Snapshot(
            requests: counters.requests,
            paths: counters.paths,
            endpoints: endpoints,
            statuses: counters.statuses
        )
    }

    /// The counters as JSON, keys sorted:
    /// `{"requests":N,"paths":{"/":N,...},"endpoints":{"GET /":N,...},"statuses":{"200":N,...}}`.
    func json() -> String {
        let snapshot = snapshot()
        func object(_ counts: [String: Int]) -> String {
            let members = counts.sorted { $0.key < $1.key }.map { "\(JSONText.quoted($0.key)):\($0.value)" }
            return "{" + members.joined(separator: ",") + "}"
        }
        let statuses = Dictionary(uniqueKeysWithValues: snapshot.statuses.map { (String($0.key), $0.value) })
        return "{\"requests\":\(snapshot.requests),\"paths\":\(object(snapshot.paths))"
            + ",\"endpoints\":\(object(snapshot.endpoints)),\"statuses\":\(object(statuses))}"
    }
}
