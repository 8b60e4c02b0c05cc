import LocustStats
import Testing

/// `--json` / `--json-file`: Locust's `json.dumps(stats.serialize_stats(), indent=4)`.
struct LocustJSONTests {
    @Test func bucketsResponseTimesAsLocust() {
        let cases: [(Double, Int)] = [
            (0.4, 0), (12.25, 12), (12.5, 12), (13.5, 14), (99.4, 99), (99.6, 100), (147, 150), (145, 140), (155, 160),
            (999, 1000), (1049, 1000), (1051, 1100), (3432, 3400), (58760, 59000), (-3, 0), (.nan, 0),
        ]
        for (milliseconds, bucket) in cases {
            #expect(LocustJSON.bucket(milliseconds) == bucket, "bucket(\(milliseconds))")
        }
    }

    @Test func writesLocustsShapeWithItsKeysInItsOrder() {
        var entry = StatsEntry(method: "GET", name: "/", startTime: 1_764_000_000.25)
        entry.record(responseTime: 12.25, contentLength: 100, failed: false, at: 1_764_000_000.5)
        entry.record(responseTime: 49.25, contentLength: 100, failed: false, at: 1_764_000_000.75)
        entry.record(responseTime: 250, contentLength: 50, failed: true, at: 1_764_000_012.5)
        entry.record(responseTime: 1234, contentLength: 0, failed: true, at: 1_764_000_013)
        let idle = StatsEntry(method: "POST", name: "/never", startTime: 1_764_000_000.25)
        var total = StatsEntry(method: "", name: "Aggregated", startTime: 1_764_000_000.25)
        total.merge(entry)
        let snapshot = StatsSnapshot(entries: [idle, entry], total: total)
        let expected = """
            [
                {
                    "name": "/",
                    "method": "GET",
                    "last_request_timestamp": 1764000013.0,
                    "start_time": 1764000000.25,
                    "num_requests": 4,
                    "num_none_requests": 0,
                    "num_failures": 2,
                    "total_response_time": 1545.5,
                    "max_response_time": 1234.0,
                    "min_response_time": 12.25,
                    "total_content_length": 250,
                    "response_times": {
                        "12": 1,
                        "49": 1,
                        "250": 1,
                        "1200": 1
                    },
                    "num_reqs_per_sec": {
                        "1764000000": 2,
                        "1764000012": 1,
                        "1764000013": 1
                    },
                    "num_fail_per_sec": {
                        "1764000012": 1,
                        "1764000013": 1
                    }
                }
            ]
            """
        #expect(LocustJSON.finalStats(snapshot) == expected)
    }

    @Test func writesAnEmptyListWithoutRequestsAndEscapesNames() {
        #expect(LocustJSON.finalStats(.empty(startTime: 1)) == "[]")
        var entry = StatsEntry(method: "POST", name: "/caf\u{E9}?q=\"x\"", startTime: 10)
        entry.record(responseTime: 0.4, contentLength: 3, failed: false, at: 10.5)
        let text = LocustJSON.finalStats(StatsSnapshot(entries: [entry], total: entry))
        #expect(text.contains(#""name": "/caf\u00e9?q=\"x\"","#))
        #expect(text.contains(#""response_times": {\#n            "0": 1\#n        },"#))
        #expect(text.contains(#""num_fail_per_sec": {}"#))
    }

    @Test func countsEverySampleOfALargeHistogram() {
        var entry = StatsEntry(method: "GET", name: "/many", startTime: 1)
        for index in 0..<5_000 { entry.record(responseTime: Double(index % 700) * 1.7, contentLength: 0, failed: false, at: 2) }
        let buckets = LocustJSON.responseTimes(of: entry)
        #expect(buckets.values.reduce(0, +) == 5_000)
        #expect(buckets.keys.allSatisfy { $0 <= 1200 })
        #expect(buckets[0] == 8)  // 0 ms and 0.0 ms: index % 700 == 0, 5000 / 700 rounded up
    }
}
