import Foundation
import Testing
@testable import LocustStats

struct PrometheusExpositionTests {
    static let t0 = 1_700_000_000.0

    /// The value of the one sample line that starts with `prefix` (metric name and labels).
    static func value(_ text: String, _ prefix: String) -> String? {
        let matches = text.split(separator: "\n").filter { $0.hasPrefix(prefix + " ") }
        guard matches.count == 1, let line = matches.first else { return nil }
        return String(line.dropFirst(prefix.count + 1))
    }

    static func snapshot() -> StatsSnapshot {
        let stats = RequestStats(startTime: t0)
        let times = [0.5, 1.0, 3.0, 7.0, 20.0, 60.0, 300.0, 1_500.0, 12_000.0]
        for (index, time) in times.enumerated() {
            stats.record(
                method: "GET", name: "/", responseTime: time, contentLength: 100, error: index == 2 ? "boom" : nil,
                at: t0 + Double(index))
        }
        stats.record(method: "POST", name: "/login", responseTime: 2, contentLength: 7, error: nil, at: t0 + 9)
        stats.recordException(message: "x", location: "U.t")
        stats.recordException(message: "x", location: "U.t")
        return stats.snapshot()
    }

    @Test func histogramBucketsAreCumulativeCountsOfTheRecordedValues() throws {
        let text = PrometheusExposition.body(snapshot: Self.snapshot(), state: "running", userCount: 3, workerCount: nil)
        let labels = #"method="GET",name="/""#
        let expected: [(String, String)] = [
            ("0.001", "2"), ("0.0025", "2"), ("0.005", "3"), ("0.01", "4"), ("0.025", "5"), ("0.05", "5"),
            ("0.1", "6"), ("0.25", "6"), ("0.5", "7"), ("1", "7"), ("2.5", "8"), ("5", "8"), ("10", "8"), ("+Inf", "9"),
        ]
        for (le, count) in expected {
            #expect(Self.value(text, "locust_response_time_seconds_bucket{\(labels),le=\"\(le)\"}") == count, "le=\(le)")
        }
        #expect(Self.value(text, "locust_response_time_seconds_count{\(labels)}") == "9")
        let sum = try #require(Self.value(text, "locust_response_time_seconds_sum{\(labels)}").flatMap(Double.init))
        #expect(abs(sum - 13.8915) < 1e-9)
    }

    @Test func bucketCountsMatchABruteForceCountOverManyValues() {
        let stats = RequestStats(startTime: Self.t0)
        var state: UInt64 = 12_345
        var values: [Double] = []
        let bounds = PrometheusExposition.bucketBounds.map { $0 * 1_000 }
        while values.count < 2_000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            // Log-uniform from 0.1 ms to about 20 s, to the microsecond.
            let exponent = Double(state >> 11) / Double(1 << 53) * 5.3 - 1
            let value = (pow(10, exponent) * 1_000).rounded() / 1_000
            // Values within the histogram's 0.1 % just above a bound may be counted below it.
            if bounds.contains(where: { value > $0 && value <= $0 * 1.002 }) { continue }
            values.append(value)
            stats.record(method: "GET", name: "/r", responseTime: value, contentLength: 0, error: nil, at: Self.t0 + 1)
        }
        let entry = stats.snapshot().entries[0]
        let counts = PrometheusExposition.cumulativeBucketCounts(entry)
        #expect(counts.count == bounds.count + 1)
        for (index, bound) in bounds.enumerated() {
            #expect(counts[index] == values.filter { $0 <= bound }.count, "bound \(bound) ms")
        }
        #expect(counts.last == 2_000)
        #expect(zip(counts, counts.dropFirst()).allSatisfy { $0 <= $1 })
    }

    @Test func countersGaugesAndStates() {
        let snapshot = Self.snapshot()
        let text = PrometheusExposition.body(snapshot: snapshot, state: "running", userCount: 3, workerCount: 2)
        #expect(Self.value(text, #"locust_requests_total{method="GET",name="/"}"#) == "9")
        #expect(Self.value(text, #"locust_requests_total{method="POST",name="/login"}"#) == "1")
        #expect(Self.value(text, #"locust_failures_total{method="GET",name="/"}"#) == "1")
        #expect(Self.value(text, #"locust_errors_total{method="GET",name="/",error="boom"}"#) == "1")
        #expect(Self.value(text, #"locust_response_content_bytes_total{method="GET",name="/"}"#) == "900")
        let entry = snapshot.entry(method: "GET", name: "/")
        #expect(Self.value(text, #"locust_current_rps{method="GET",name="/"}"#)
            == PythonFormat.repr(entry.map { snapshot.currentRPS(of: $0) } ?? -1))
        #expect(Self.value(text, "locust_users") == "3")
        #expect(Self.value(text, "locust_workers") == "2")
        #expect(Self.value(text, "locust_fail_ratio") == PythonFormat.repr(0.1))
        #expect(Self.value(text, "locust_exceptions_total") == "2")
        for state in PrometheusExposition.states {
            #expect(Self.value(text, "locust_state{state=\"\(state)\"}") == (state == "running" ? "1" : "0"))
        }
        #expect(!text.contains("Aggregated"))
        let local = PrometheusExposition.body(snapshot: snapshot, state: "odd", userCount: 0, workerCount: nil)
        #expect(!local.contains("locust_workers"))
        #expect(Self.value(local, #"locust_state{state="odd"}"#) == "1")
        #expect(Self.value(local, #"locust_state{state="running"}"#) == "0")
    }

    @Test func everyFamilyHasHelpAndTypeBeforeItsSamples() {
        let text = PrometheusExposition.body(snapshot: Self.snapshot(), state: "running", userCount: 3, workerCount: 1)
        #expect(text.hasSuffix("\n"))
        var typed: [String: String] = [:]
        var helped: Set<String> = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
            let parts = line.split(separator: " ")
            if line.hasPrefix("# HELP ") {
                helped.insert(String(parts[2]))
            } else if line.hasPrefix("# TYPE ") {
                #expect(helped.contains(String(parts[2])), "HELP before TYPE: \(line)")
                typed[String(parts[2])] = String(parts[3])
            } else {
                let name = String(line.prefix { $0 != "{" && $0 != " " })
                let family = typed[name] != nil ? name
                    : ["_bucket", "_sum", "_count"].compactMap { suffix in
                        name.hasSuffix(suffix) ? String(name.dropLast(suffix.count)) : nil
                    }.first ?? name
                #expect(typed[family] != nil, "sample without TYPE: \(line)")
                #expect(Double(parts.last.map(String.init) ?? "x") != nil, "value of \(line)")
            }
        }
        #expect(typed["locust_response_time_seconds"] == "histogram")
        #expect(typed["locust_requests_total"] == "counter")
        #expect(typed["locust_users"] == "gauge")
        #expect(PrometheusExposition.contentType == "text/plain; version=0.0.4; charset=utf-8")
    }

    @Test func labelValuesAreEscaped() {
        let stats = RequestStats(startTime: Self.t0)
        stats.record(method: "GET", name: "a\"b\\c\nd", responseTime: 1, contentLength: 0, error: "x\ny", at: Self.t0 + 1)
        let text = PrometheusExposition.body(snapshot: stats.snapshot(), state: "running", userCount: 1, workerCount: nil)
        #expect(Self.value(text, #"locust_requests_total{method="GET",name="a\"b\\c\nd"}"#) == "1")
        #expect(Self.value(text, #"locust_errors_total{method="GET",name="a\"b\\c\nd",error="x\ny"}"#) == "1")
        #expect(PrometheusExposition.escape("a\"b\\c\nd") == #"a\"b\\c\nd"#)
        #expect(PrometheusExposition.escape("a\"b\\c\nd", quote: false) == #"a"b\\c\nd"#)
        #expect(PrometheusExposition.number(.infinity) == "+Inf")
        #expect(PrometheusExposition.number(.nan) == "NaN")
    }
}
