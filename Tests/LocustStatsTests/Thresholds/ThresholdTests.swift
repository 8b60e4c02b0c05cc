import Testing
@testable import LocustStats

/// `--threshold` expressions: parsing, the measured values, pass/fail and the summary lines.
struct ThresholdTests {
    /// 100 requests to GET /a taking 1...100 ms (10 failed), 10 to POST /b taking 500 ms.
    static func snapshot() -> StatsSnapshot {
        let stats = RequestStats(startTime: 1000)
        for ms in 1...100 {
            stats.record(method: "GET", name: "/a", responseTime: Double(ms), contentLength: 10, error: ms % 10 == 0 ? "boom" : nil, at: 1000 + Double(ms) / 10)
        }
        for _ in 0..<10 { stats.record(method: "POST", name: "/b", responseTime: 500, contentLength: 1, error: nil, at: 1010) }
        return stats.snapshot()
    }

    @Test(arguments: [
        ("p95<300", nil as String?, Threshold.Metric.percentile(0.95), Threshold.Comparison.less, 300.0),
        ("p99.9 <= 1000", nil, .percentile(0.999), .lessOrEqual, 1000),
        ("fail_ratio<0.01", nil, .failRatio, .less, 0.01),
        ("avg<100", nil, .average, .less, 100),
        ("rps>500", nil, .requestsPerSecond, .greater, 500),
        ("GET /items/[id]:p99<500", "GET /items/[id]", .percentile(0.99), .less, 500),
        ("http://x/y:med>=1", "http://x/y", .percentile(0.5), .greaterOrEqual, 1),
    ])
    func parses(text: String, request: String?, metric: Threshold.Metric, comparison: Threshold.Comparison, limit: Double) throws {
        let threshold = try Threshold.parse(text)
        #expect(threshold.request == request)
        #expect(threshold.metric == metric)
        #expect(threshold.comparison == comparison)
        #expect(threshold.limit == limit)
    }

    @Test(arguments: [
        ("p95", "no comparison"), ("p95<abc", "'abc' is not a number"), ("speed<3", "unknown metric 'speed'"),
        (":p95<3", "no request name"), ("p0<3", "unknown metric 'p0'"), ("p95<inf", "'inf' is not a number"),
    ])
    func refuses(text: String, reason: String) {
        #expect(throws: ThresholdError.self) { try Threshold.parse(text) }
        do {
            _ = try Threshold.parse(text)
        } catch {
            #expect(error.description.hasPrefix("invalid --threshold '\(text)'"), "\(error)")
            #expect(error.reason.contains(reason), "\(error.reason)")
        }
    }

    @Test func measuresTheAggregateAndOneRequest() throws {
        let snapshot = Self.snapshot()
        #expect(try Threshold.parse("requests>=110").evaluate(snapshot).passed)
        #expect(try Threshold.parse("fails<=10").evaluate(snapshot).passed)
        #expect(try Threshold.parse("fail_ratio<0.05").evaluate(snapshot).passed == false)
        let p95 = try Threshold.parse("GET /a:p95<90").evaluate(snapshot)
        #expect(p95.measured.map { abs($0 - 95) < 0.5 } == true, "\(String(describing: p95.measured))")
        #expect(!p95.passed)
        #expect(try Threshold.parse("/b:max<=500").evaluate(snapshot).passed)
        #expect(try Threshold.parse("POST /b:avg<501").evaluate(snapshot).passed)
    }

    @Test func aRequestThatNeverRanFails() throws {
        let result = try Threshold.parse("GET /nowhere:p99<5").evaluate(Self.snapshot())
        #expect(result.measured == nil)
        #expect(!result.passed)
        #expect(result.line.contains("no such request ran"))
    }

    @Test func reportListsEachWithItsValue() throws {
        let snapshot = Self.snapshot()
        let results = try ["requests>=110", "GET /a:p95<90"].map { try Threshold.parse($0).evaluate(snapshot) }
        let report = ThresholdResult.report(results)
        #expect(report.hasPrefix("Thresholds: 1 of 2 failed\n"))
        #expect(report.contains("  ✓ requests>=110  (measured: 110.0)"))
        #expect(report.contains("  ✗ GET /a:p95<90  (measured: "))
        #expect(ThresholdResult.report([]) == "")
    }
}
