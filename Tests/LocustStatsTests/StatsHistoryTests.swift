import Testing
@testable import LocustStats

struct StatsHistoryTests {
    @Test func samplingAppendsAggregatedRows() {
        let stats = LocustReference.stats()
        let history = StatsHistory()
        let first = history.sample(stats, userCount: 42, at: LocustReference.base + 14.9)
        let second = history.sample(stats, userCount: 43, at: LocustReference.base + 15.9)
        #expect(first.count == 1)
        #expect(second.first?.timestamp == 1_700_000_015)
        #expect(history.rows.count == 2)
        let row = history.rows[0]
        #expect(row.name == "Aggregated")
        #expect(row.method == "")
        #expect(row.userCount == 42)
        #expect(row.requestCount == 111)
        #expect(row.failureCount == 5)
        #expect(row.requestsPerSecond == 7.8)
        #expect(row.percentiles?.count == 11)
        #expect(row.percentiles?.last == 97)
        #expect(row.currentChartPercentiles.count == 2)
        history.reset()
        #expect(history.rows.isEmpty)
    }

    @Test func fullHistoryAddsEntryRowsAndCurrentPercentiles() {
        let stats = RequestStats(startTime: 1_000)
        stats.record(method: "GET", name: "/old", responseTime: 500, contentLength: 0, error: nil, at: 1_001)
        for index in 0 ..< 10 {
            stats.record(method: "GET", name: "/new", responseTime: Double(index + 1), contentLength: 0, error: nil, at: 1_030)
        }
        let rows = StatsHistory(fullHistory: true).rows(for: stats.snapshot(), userCount: 1, at: 1_030.5)
        #expect(rows.map(\.name) == ["/new", "/old", "Aggregated"])
        #expect(rows[1].percentiles?.last == 500)  // per-entry rows: whole-run percentiles
        #expect(rows[2].percentiles?.last == 10)  // aggregated row: last 10 seconds only
        #expect(rows[2].currentChartPercentiles.count == 2)
        #expect(withinTolerance(rows[2].currentChartPercentiles[0], 5))
        #expect(rows[2].currentChartPercentiles[1] == 10)
        let plain = StatsHistory().rows(for: stats.snapshot(), userCount: 1, at: 1_030.5)
        #expect(plain.count == 1)
        #expect(plain[0].percentiles?.last == 500)  // without full history: whole-run percentiles
    }

    @Test func capacityDropsOldestRows() {
        let stats = LocustReference.stats()
        let history = StatsHistory(capacity: 3)
        for second in 0 ..< 5 {
            history.sample(stats, userCount: second, at: LocustReference.base + Double(second))
        }
        #expect(history.rows.map(\.userCount) == [2, 3, 4])
    }
}

/// A slave's snapshot moved onto its master's clock.
struct StatsSnapshotClockShiftTests {
    @Test func everyTimeMovesBySecondsAndNothingElse() {
        let stats = RequestStats()
        stats.record(method: "GET", name: "/", responseTime: 5, contentLength: 1, error: nil)
        stats.record(method: "GET", name: "/", responseTime: 7, contentLength: 1, error: "boom")
        let snapshot = stats.snapshot()
        let moved = snapshot.shifted(bySeconds: -180)
        #expect(moved.takenAt == snapshot.takenAt - 180)
        #expect(moved.total.numRequests == 2 && moved.total.numFailures == 1)
        #expect(moved.total.startTime == snapshot.total.startTime - 180)
        #expect(moved.total.lastRequestTimestamp == snapshot.total.lastRequestTimestamp.map { $0 - 180 })
        #expect(Set(moved.total.requestsPerSecond.keys) == Set(snapshot.total.requestsPerSecond.keys.map { $0 - 180 }))
        #expect(moved.errors.first?.firstSeen == snapshot.errors.first?.firstSeen.map { $0 - 180 })
        #expect(moved.total.percentile(0.5) == snapshot.total.percentile(0.5))
        #expect(snapshot.shifted(bySeconds: 0) == snapshot)
    }
}
