import Testing
@testable import LocustStats

struct StatsRequestsJSONTests {
    static let t0 = 1_700_000_000.0
    static let error500 = "HTTPError('500 Server Error: Internal Server Error for url: /status500')"

    /// Like the fixture's run: `/`, `/other` and a failing `/status500` over 15 seconds, with
    /// response times that vary (so that no median is clamped to a float extreme).
    static func runningSnapshot() -> StatsSnapshot {
        let stats = RequestStats(startTime: t0)
        for second in 0 ..< 15 {
            let base = t0 + Double(second)
            stats.record(
                method: "GET", name: "/", responseTime: 0.78 + Double(second % 5), contentLength: 3, error: nil,
                at: base + 0.1)
            stats.record(
                method: "GET", name: "/other", responseTime: 1.49 + Double(second % 7) * 1.5, contentLength: 3,
                error: nil, at: base + 0.2)
            if second % 2 == 0 {
                stats.record(
                    method: "GET", name: "/status500", responseTime: 1.51 + Double(second % 3), contentLength: 5,
                    error: error500, at: base + 0.3)
            }
        }
        return stats.snapshot()
    }

    static func workers() -> [WorkerJSONRow] {
        [WorkerJSONRow(id: "vm_2145866a3d0d4309bbf51d036b6a6ad8", state: "running", userCount: 6, cpuUsage: 0,
                       memoryUsage: 55_525_376)]
    }

    static func runningBody() -> JSONValue {
        StatsRequestsJSON.body(
            snapshot: runningSnapshot(), state: "running", userCount: 6, now: t0 + 14.9, workers: workers())
    }

    // MARK: Shape against Locust's answers

    @Test func topLevelKeysAreLocusts() throws {
        let fixture = try WebFixtures.json("stats_requests_running.json")
        let body = Self.runningBody()
        #expect(WebFixtures.keys(body) == WebFixtures.keys(fixture))
        for key in WebFixtures.keys(fixture) {
            #expect(WebFixtures.type(body[key]) == WebFixtures.type(fixture[key]), "\(key)")
        }
        #expect(WebFixtures.keys(body["current_response_time_percentiles"])
            == WebFixtures.keys(fixture["current_response_time_percentiles"]))
    }

    @Test func statsRowsHaveLocustsFifteenKeysAndValueTypes() throws {
        let fixture = try WebFixtures.json("stats_requests_running.json")
        let body = Self.runningBody()
        let ours = try #require(body["stats"]?.arrayValue)
        let theirs = try #require(fixture["stats"]?.arrayValue)
        #expect(ours.count == theirs.count)
        for (row, expected) in zip(ours, theirs) {
            #expect(WebFixtures.keys(row).count == 15)
            #expect(WebFixtures.keys(row) == WebFixtures.keys(expected))
            for key in WebFixtures.keys(expected) {
                #expect(WebFixtures.type(row[key]) == WebFixtures.type(expected[key]), "\(key) of \(String(describing: row["name"]))")
            }
        }
        #expect(ours.map { $0["name"]?.stringValue } == theirs.map { $0["name"]?.stringValue })
        #expect(ours.last?["method"] == .string(""))
    }

    @Test func beforeTheFirstRequestTheTypesAreLocustsReadyOnes() throws {
        let fixture = try WebFixtures.json("stats_requests_ready.json")
        let body = StatsRequestsJSON.body(
            snapshot: .empty(startTime: Self.t0), state: "ready", userCount: 0, now: Self.t0 + 5,
            workers: [WorkerJSONRow(id: "vm_1", state: "ready", userCount: 0, cpuUsage: 0, memoryUsage: 0)])
        #expect(WebFixtures.keys(body) == WebFixtures.keys(fixture))
        for key in WebFixtures.keys(fixture) where key != "current_response_time_percentiles" {
            #expect(WebFixtures.type(body[key]) == WebFixtures.type(fixture[key]), "\(key)")
        }
        let row = try #require(body["stats"]?[0])
        let expected = try #require(fixture["stats"]?[0])
        // Every value of the empty aggregated row is Locust's, types included (0 vs 0.0).
        #expect(row == expected)
        #expect(body["current_rps"] == .int(0))
        #expect(body["current_fail_per_sec"] == .int(0))
        #expect(body["total_rps"] == .double(0))
        #expect(body["fail_ratio"] == .double(0))
        #expect(body["errors"] == .array([]))
        // No request in the window: null (Locust gives null or 0 depending on its cache).
        #expect(body["current_response_time_percentiles"] == .object([
            "response_time_percentile_0.5": .null, "response_time_percentile_0.95": .null,
        ]))
    }

    @Test func errorAndWorkerElementsEqualLocusts() throws {
        let fixture = try WebFixtures.json("stats_requests_running.json")
        let error = StatsError(
            method: "GET", name: "/status500", error: Self.error500, occurrences: 8, firstSeen: 1796156372.2334018,
            lastSeen: 1796156376.599591)
        #expect(StatsRequestsJSON.error(error) == fixture["errors"]?[0])
        #expect(Self.workers()[0].json == fixture["workers"]?[0])
        #expect(Self.runningBody()["worker_count"] == .int(1))
    }

    // MARK: Values

    @Test func rowsAreSortedByNameThenMethodWithAggregatedLast() throws {
        let stats = RequestStats(startTime: Self.t0)
        for (method, name) in [("GET", "/b"), ("POST", "/a"), ("GET", "/a"), ("GET", "/A"), ("DELETE", "/a")] {
            stats.record(method: method, name: name, responseTime: 5, contentLength: 1, error: nil, at: Self.t0 + 1)
        }
        let body = StatsRequestsJSON.body(
            snapshot: stats.snapshot(), state: "running", userCount: 1, now: Self.t0 + 2, workers: nil)
        let rows = try #require(body["stats"]?.arrayValue)
        let keys = rows.map { "\($0["method"]?.stringValue ?? "?") \($0["name"]?.stringValue ?? "?")" }
        #expect(keys == ["GET /A", "DELETE /a", "GET /a", "POST /a", "GET /b", " Aggregated"])
    }

    @Test func statsAndErrorsAreCappedAt500WithAggregatedKept() throws {
        let stats = RequestStats(startTime: Self.t0)
        for index in 0 ..< 600 {
            let name = "/e" + String(1000 + index)
            stats.record(method: "GET", name: name, responseTime: 5, contentLength: 1, error: "e\(index)", at: Self.t0 + 1)
        }
        let body = StatsRequestsJSON.body(
            snapshot: stats.snapshot(), state: "running", userCount: 1, now: Self.t0 + 2, workers: nil)
        let rows = try #require(body["stats"]?.arrayValue)
        #expect(rows.count == 501)
        #expect(rows[499]["name"] == .string("/e1499"))
        #expect(rows[500]["name"] == .string("Aggregated"))
        #expect(rows[500]["num_requests"] == .int(600))
        #expect(body["errors"]?.arrayValue?.count == 500)
    }

    @Test func failRatioAndTotalsComeFromTheAggregatedRow() throws {
        let snapshot = Self.runningSnapshot()
        let body = StatsRequestsJSON.body(snapshot: snapshot, state: "running", userCount: 6, now: Self.t0 + 14.9, workers: nil)
        // 8 of 38 requests failed.
        #expect(snapshot.total.numRequests == 38)
        #expect(body["fail_ratio"] == .double(8.0 / 38.0))
        let total = try #require(body["stats"]?.arrayValue?.last)
        #expect(body["total_rps"] == total["total_rps"])
        #expect(body["total_fail_per_sec"] == total["total_fail_per_sec"])
        #expect(body["current_rps"] == total["current_rps"])
        #expect(body["current_fail_per_sec"] == total["current_fail_per_sec"])
        #expect(body["total_rps"] == .double(snapshot.totalRPS(of: snapshot.total)))
        #expect(body["state"] == .string("running"))
        #expect(body["user_count"] == .int(6))
        // Failing everything with no request would be 1.0 in Locust; here a plain ratio.
        let allFailed = RequestStats(startTime: Self.t0)
        allFailed.record(method: "GET", name: "/x", responseTime: 1, contentLength: 0, error: "e", at: Self.t0 + 1)
        let failedBody = StatsRequestsJSON.body(
            snapshot: allFailed.snapshot(), state: "running", userCount: 1, now: Self.t0 + 1, workers: nil)
        #expect(failedBody["fail_ratio"] == .double(1.0))
    }

    @Test func workersAreListedOnlyOnAMasterAndMissingOnesAreNotCounted() {
        let snapshot = Self.runningSnapshot()
        let local = StatsRequestsJSON.body(snapshot: snapshot, state: "running", userCount: 6, now: Self.t0 + 14, workers: nil)
        #expect(local["workers"] == nil)
        #expect(local["worker_count"] == nil)
        let rows = [
            WorkerJSONRow(id: "a_1", state: "running", userCount: 3, cpuUsage: 12.5, memoryUsage: 1_000),
            WorkerJSONRow(id: "b_2", state: "missing", userCount: 3, cpuUsage: 0, memoryUsage: 2_000),
            WorkerJSONRow(id: "c_3", state: "spawning", userCount: 0, cpuUsage: 1, memoryUsage: 3_000),
            WorkerJSONRow(id: "d_4", state: "ready", userCount: 0, cpuUsage: 1, memoryUsage: 3_000),
        ]
        let master = StatsRequestsJSON.body(snapshot: snapshot, state: "running", userCount: 6, now: Self.t0 + 14, workers: rows)
        #expect(master["worker_count"] == .int(3))
        #expect(master["workers"]?.arrayValue?.count == 4)
        #expect(master["workers"]?[1]?["state"] == .string("missing"))
        #expect(master["workers"]?[0]?["cpu_usage"] == .double(12.5))
        #expect(StatsRequestsJSON.body(snapshot: snapshot, state: "ready", userCount: 0, now: Self.t0, workers: [])["worker_count"]
            == .int(0))
    }

    @Test func minAndMaxAreProperRoundedFloatsAndMedianAndPercentilesInts() throws {
        let stats = RequestStats(startTime: Self.t0)
        for (index, time) in [0.7827240001461178, 2.5, 3.2, 4.4, 7.642804000170145].enumerated() {
            stats.record(method: "GET", name: "/", responseTime: time, contentLength: 3, error: nil, at: Self.t0 + Double(index))
        }
        let row = StatsRequestsJSON.row(try #require(stats.snapshot().entries.first), in: stats.snapshot())
        #expect(row["min_response_time"] == .double(1.0))
        #expect(row["max_response_time"] == .double(8.0))
        #expect(row["median_response_time"] == .int(3))
        #expect(row["response_time_percentile_0.95"] == .int(8))
        #expect(row["response_time_percentile_0.99"] == .int(8))
        #expect(row["avg_content_length"] == .double(3.0))
        #expect(row["num_requests"] == .int(5))
        #expect(row["num_failures"] == .int(0))
        // A lone sub-millisecond request: the median is clamped to the exact float, as in Locust.
        let single = RequestStats(startTime: Self.t0)
        single.record(method: "GET", name: "/b", responseTime: 0.4, contentLength: 0, error: nil, at: Self.t0 + 1)
        let singleRow = StatsRequestsJSON.row(try #require(single.snapshot().entries.first), in: single.snapshot())
        #expect(singleRow["median_response_time"] == .double(0.4))
        #expect(singleRow["min_response_time"] == .double(0.0))
        #expect(singleRow["response_time_percentile_0.95"] == .int(0))
    }

    @Test func properRoundIsLocustsRoundHalfUp() {
        #expect(StatsRequestsJSON.properRound(2.5) == 3)
        #expect(StatsRequestsJSON.properRound(0.5) == 1)
        #expect(StatsRequestsJSON.properRound(3.5) == 4)
        #expect(StatsRequestsJSON.properRound(1.4999) == 1)
        #expect(StatsRequestsJSON.properRound(12.256473999968875) == 12)
        #expect(StatsRequestsJSON.properRound(0) == 0)
    }

    @Test func valuesAgreeWithTheCSVAndTheConsole() throws {
        // The CSV and the console already match Locust byte for byte for this data set.
        let snapshot = LocustReference.stats().snapshot()
        let body = StatsRequestsJSON.body(
            snapshot: snapshot, state: "running", userCount: 1, now: LocustReference.base + 14.9, workers: nil)
        let rows = try #require(body["stats"]?.arrayValue)
        let csv = StatsCSV().requestsRows(snapshot)
        #expect(rows.count == csv.count)
        for (row, line) in zip(rows, csv) {
            #expect(row["method"]?.stringValue == line[0])
            #expect(row["name"]?.stringValue == line[1])
            #expect(row["num_requests"]?.serialized() == line[2])
            #expect(row["num_failures"]?.serialized() == line[3])
            #expect(row["median_response_time"]?.serialized() == line[4])
            #expect(row["avg_response_time"]?.serialized() == line[5])
            #expect(row["avg_content_length"]?.serialized() == line[8])
            #expect(row["total_rps"]?.serialized() == line[9])
            #expect(row["total_fail_per_sec"]?.serialized() == line[10])
            #expect(row["response_time_percentile_0.95"]?.serialized() == line[16])
            #expect(row["response_time_percentile_0.99"]?.serialized() == line[18])
        }
        // The console's current req/s column (7.00 for GET /a, 7.80 in total).
        #expect(rows[0]["current_rps"] == .double(7.0))
        #expect(rows.last?["current_rps"] == .double(7.8))
        #expect(body["current_rps"] == .double(7.8))
        #expect(body["current_fail_per_sec"] == .double(snapshot.currentFailPerSec))
    }

    @Test func currentPercentilesAreIntsInTheWindowAndNullOutsideIt() {
        let snapshot = Self.runningSnapshot()
        let recent = StatsRequestsJSON.currentPercentiles(snapshot, now: Self.t0 + 14.9)
        #expect(WebFixtures.type(recent["response_time_percentile_0.5"]) == "int")
        #expect(WebFixtures.type(recent["response_time_percentile_0.95"]) == "int")
        let expected = snapshot.currentResponseTimePercentile(0.95, now: Self.t0 + 14.9)
        #expect(recent["response_time_percentile_0.95"] == .int(PythonNumber.percentile(expected ?? -1)))
        let later = StatsRequestsJSON.currentPercentiles(snapshot, now: Self.t0 + 60)
        #expect(later == .object(["response_time_percentile_0.5": .null, "response_time_percentile_0.95": .null]))
        #expect(StatsRequestsJSON.percentileKey(0.5) == "response_time_percentile_0.5")
        #expect(StatsRequestsJSON.percentileKey(1) == "response_time_percentile_1.0")
    }
}
