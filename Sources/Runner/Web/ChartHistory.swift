import LocustStats
import Synchronization

/// What the web UI's charts draw, kept in the runner so that a reload (or a second browser) sees the
/// whole process's history: one point a second, the tests' starts and ends, and per request name.
final class ChartHistory: Sendable {
    struct Point: Sendable {
        var time: Double
        var test: Int
        var userCount: Int
        var currentRPS: Double
        var currentFailPerSec: Double
        var p50: Double?
        var p95: Double?
        var average: Double?
    }

    struct NamePoint: Sendable {
        var time: Double
        var currentRPS: Double
        var currentFailPerSec: Double
        var p50: Double?
        var p95: Double?
    }

    struct Test: Sendable {
        var index: Int
        var startedAt: Double
        var stoppedAt: Double?
        var targetUsers: Int
        var host: String?
    }

    private struct State {
        var points: [Point] = []
        var perName: [String: [NamePoint]] = [:]
        var tests: [Test] = []
    }

    /// A day of points at one a second.
    static let maxPoints = 86_400
    /// Per-name series kept (the first names seen), and points per name.
    static let maxNames = 100
    static let maxNamePoints = 7_200

    private let state = Mutex(State())

    func testStarted(index: Int, at time: Double, targetUsers: Int, host: String?) {
        state.withLock { $0.tests.append(Test(index: index, startedAt: time, targetUsers: targetUsers, host: host)) }
    }

    func testStopped(at time: Double) {
        state.withLock { state in
            if let last = state.tests.indices.last, state.tests[last].stoppedAt == nil { state.tests[last].stoppedAt = time }
        }
    }

    /// Records the second that ended at `time`.
    func record(_ snapshot: StatsSnapshot, userCount: Int, test: Int, at time: Double) {
        let current = snapshot.total.lastRequestTimestamp.flatMap { _ in
            snapshot.currentResponseTimePercentile(0.5, now: time).map { p50 in
                (p50, snapshot.currentResponseTimePercentile(0.95, now: time))
            }
        }
        let point = Point(
            time: time, test: test, userCount: userCount, currentRPS: snapshot.currentRPS,
            currentFailPerSec: snapshot.currentFailPerSec, p50: current?.0, p95: current?.1 ?? nil,
            average: snapshot.total.numRequests > 0 ? snapshot.total.average : nil)
        let names = snapshot.entries.map { entry in
            (
                "\(entry.method) \(entry.name)",
                NamePoint(
                    time: time, currentRPS: snapshot.currentRPS(of: entry), currentFailPerSec: snapshot.currentFailPerSec(of: entry),
                    p50: entry.numRequests > 0 ? entry.percentile(0.5) : nil, p95: entry.numRequests > 0 ? entry.percentile(0.95) : nil)
            )
        }
        state.withLock { state in
            state.points.append(point)
            if state.points.count > Self.maxPoints { state.points.removeFirst(state.points.count - Self.maxPoints) }
            for (key, namePoint) in names {
                if state.perName[key] == nil && state.perName.count >= Self.maxNames { continue }
                state.perName[key, default: []].append(namePoint)
                if let count = state.perName[key]?.count, count > Self.maxNamePoints {
                    state.perName[key]?.removeFirst(count - Self.maxNamePoints)
                }
            }
        }
    }

    /// The points after `since` (all when nil), as the web UI reads them.
    func json(since: Double?) -> JSONValue {
        let (points, perName, tests) = state.withLock { state in
            let after = { (time: Double) in since.map { time > $0 } ?? true }
            return (
                state.points.filter { after($0.time) }, state.perName.mapValues { $0.filter { after($0.time) } }, state.tests
            )
        }
        func number(_ value: Double?) -> JSONValue { value.map { .double($0) } ?? .null }
        return .object([
            "tests": .array(tests.map { test in
                .object([
                    "index": .int(test.index), "started_at": .double(test.startedAt), "stopped_at": number(test.stoppedAt),
                    "target_users": .int(test.targetUsers), "host": test.host.map { .string($0) } ?? .null,
                ])
            }),
            "points": .array(points.map { point in
                .object([
                    "time": .double(point.time), "test": .int(point.test), "user_count": .int(point.userCount),
                    "current_rps": .double(point.currentRPS), "current_fail_per_sec": .double(point.currentFailPerSec),
                    "response_time_percentile_0.5": number(point.p50), "response_time_percentile_0.95": number(point.p95),
                ])
            }),
            "per_name": .object(perName.mapValues { series in
                .array(series.map { point in
                    .object([
                        "time": .double(point.time), "current_rps": .double(point.currentRPS),
                        "current_fail_per_sec": .double(point.currentFailPerSec),
                        "response_time_percentile_0.5": number(point.p50), "response_time_percentile_0.95": number(point.p95),
                    ])
                })
            }),
        ])
    }

    /// The points of the whole history for the HTML report.
    var reportPoints: [ReportPoint] {
        state.withLock { state in
            state.points.map {
                ReportPoint(time: $0.time, userCount: $0.userCount, currentRPS: $0.currentRPS, currentFailPerSec: $0.currentFailPerSec, p50: $0.p50, p95: $0.p95,
                    averageResponseTime: $0.average)
            }
        }
    }
}
