import Dispatch
import Foundation
import Testing
@testable import LocustStats

struct RequestStatsTests {
    static let t0 = 1_700_000_000.0

    @Test func recordsPerMethodAndNameWithAggregateErrorsAndExceptions() {
        let stats = RequestStats(startTime: Self.t0)
        stats.record(method: "GET", name: "/a", responseTime: 10, contentLength: 100, error: nil, at: Self.t0 + 1)
        stats.record(method: "POST", name: "/a", responseTime: 20, contentLength: 50, error: "boom", at: Self.t0 + 2)
        stats.record(method: "GET", name: "/a", responseTime: 30, contentLength: 100, error: "boom", at: Self.t0 + 3)
        stats.record(method: "GET", name: "/a", responseTime: 40, contentLength: 100, error: "boom", at: Self.t0 + 4)
        stats.recordException(message: "oops", location: "Scenario.swift:12")
        stats.recordException(message: "oops", location: "Scenario.swift:12", node: "worker-2")
        stats.recordException(message: "oops", location: "Scenario.swift:40")

        let snapshot = stats.snapshot()
        #expect(snapshot.entries.map(\.method) == ["GET", "POST"])
        #expect(snapshot.entry(method: "GET", name: "/a")?.numRequests == 3)
        #expect(snapshot.entry(method: "GET", name: "/a")?.numFailures == 2)
        #expect(snapshot.entry(method: "POST", name: "/a")?.numFailures == 1)
        #expect(snapshot.total.name == "Aggregated")
        #expect(snapshot.total.method == "")
        #expect(snapshot.total.numRequests == 4)
        #expect(snapshot.total.numFailures == 3)
        #expect(snapshot.total.totalContentLength == 350)
        #expect(snapshot.total.startTime == Self.t0)
        #expect(snapshot.total.percentile(1.0) == 40)
        #expect(snapshot.errors.count == 2)
        #expect(snapshot.errors.first?.method == "POST")  // first seen first
        #expect(snapshot.errors.first { $0.method == "GET" }?.occurrences == 2)
        #expect(snapshot.errors.first { $0.method == "GET" }?.firstSeen == Self.t0 + 3)
        #expect(snapshot.errors.first { $0.method == "GET" }?.lastSeen == Self.t0 + 4)
        #expect(snapshot.exceptions.count == 2)
        #expect(snapshot.exceptions.first?.count == 2)
        #expect(snapshot.exceptions.first?.nodes == ["local", "worker-2"])
        #expect(stats.entry(method: "GET", name: "/a")?.numRequests == 3)
        #expect(stats.entry(method: "PUT", name: "/a") == nil)
    }

    @Test func repeatedAndAlternatingNamesLandInTheirOwnEntries() {
        // The state keeps the last key and its position: equal keys built from other strings, names
        // that alternate, a reset and a merge in between must all still find the right entry.
        let stats = RequestStats(startTime: Self.t0)
        for i in 0..<30 {
            let name = "/items/" + String(i % 3)  // a new string each time, equal to an earlier one
            stats.record(method: "GET", name: name, responseTime: Double(i), contentLength: 1, error: nil, at: Self.t0 + 1)
        }
        stats.record(method: "POST", name: "/items/0", responseTime: 1, contentLength: 1, error: nil, at: Self.t0 + 1)
        stats.reset(at: Self.t0 + 2)
        stats.record(method: "GET", name: "/items/1", responseTime: 5, contentLength: 1, error: nil, at: Self.t0 + 3)
        let other = RequestStats(startTime: Self.t0)
        other.record(method: "GET", name: "/new", responseTime: 7, contentLength: 1, error: nil, at: Self.t0 + 3)
        other.record(method: "GET", name: "/items/1", responseTime: 9, contentLength: 1, error: nil, at: Self.t0 + 3)
        stats.merge(other.snapshot())
        stats.record(method: "GET", name: "/items/1", responseTime: 11, contentLength: 1, error: nil, at: Self.t0 + 4)
        stats.record(method: "GET", name: "/new", responseTime: 13, contentLength: 1, error: nil, at: Self.t0 + 4)

        let snapshot = stats.snapshot()
        #expect(snapshot.entries.count == 5)
        #expect(snapshot.entry(method: "GET", name: "/items/0")?.numRequests == 0)
        #expect(snapshot.entry(method: "GET", name: "/items/1")?.numRequests == 3)
        #expect(snapshot.entry(method: "GET", name: "/items/2")?.numRequests == 0)
        #expect(snapshot.entry(method: "POST", name: "/items/0")?.numRequests == 0)
        #expect(snapshot.entry(method: "GET", name: "/new")?.numRequests == 2)
        #expect(stats.entry(method: "GET", name: "/new")?.maxResponseTime == 13)
        #expect(snapshot.total.numRequests == 5)
    }

    @Test func concurrentRecordingLosesNothing() {
        let stats = RequestStats(startTime: Self.t0)
        let perThread = 50_000
        DispatchQueue.concurrentPerform(iterations: 2) { thread in
            for index in 0 ..< perThread {
                stats.record(
                    method: "GET", name: index % 2 == 0 ? "/even" : "/odd", responseTime: Double(index % 100),
                    contentLength: 1, error: index % 10 == 0 ? "e\(thread)" : nil)
            }
        }
        let snapshot = stats.snapshot()
        #expect(snapshot.total.numRequests == 2 * perThread)
        #expect(snapshot.total.numFailures == 2 * perThread / 10)
        #expect(snapshot.total.histogram.count == 2 * perThread)
        #expect(snapshot.entries.map(\.numRequests).reduce(0, +) == 2 * perThread)
        #expect(snapshot.total.requestsPerSecond.values.reduce(0, +) == 2 * perThread)
        #expect(snapshot.errors.map(\.occurrences).reduce(0, +) == 2 * perThread / 10)
        #expect(snapshot.total.totalContentLength == 2 * perThread)
    }

    @Test func snapshotCodableRoundTripPreservesPercentiles() throws {
        let stats = LocustReference.stats()
        var random = SplitMix64(state: 3)
        for index in 0 ..< 3_000 {
            stats.record(
                method: "GET", name: "/random", responseTime: 0.1 + random.unit() * 2_500, contentLength: 5,
                error: nil, at: LocustReference.base + 14 + Double(index) / 3_000)
        }
        let snapshot = stats.snapshot()
        let data = try JSONEncoder().encode(snapshot)
        let decoded = try JSONDecoder().decode(StatsSnapshot.self, from: data)
        #expect(decoded == snapshot)
        for entry in snapshot.entries + [snapshot.total] {
            let copy = entry.name == "Aggregated" ? decoded.total : decoded.entry(method: entry.method, name: entry.name)
            for p in ReportedPercentiles.standard + [0.001, 0.25, 0.6] {
                #expect(copy?.percentile(p) == entry.percentile(p), "\(entry.name) p\(p)")
            }
        }
        let now = LocustReference.base + 14.9
        #expect(decoded.currentResponseTimePercentile(0.95, now: now) == snapshot.currentResponseTimePercentile(0.95, now: now))
        // The sparse form stays small: far fewer numbers than the histogram's bucket array.
        #expect(data.count < 200_000)
    }

    @Test func mergingSnapshotsIsExact() {
        var random = SplitMix64(state: 11)
        let all = RequestStats(startTime: Self.t0)
        let workerA = RequestStats(startTime: Self.t0)
        let workerB = RequestStats(startTime: Self.t0)
        for index in 0 ..< 10_000 {
            let time = Self.t0 + Double(index) / 1_000
            let name = ["/a", "/b", "/c"][Int(random.next() % 3)]
            let responseTime = Double(random.next() % 1_000_000) / 256  // exact binary fractions
            let error: String? = random.next() % 20 == 0 ? "timeout" : nil
            all.record(method: "GET", name: name, responseTime: responseTime, contentLength: 7, error: error, at: time)
            (index % 3 == 0 ? workerA : workerB)
                .record(method: "GET", name: name, responseTime: responseTime, contentLength: 7, error: error, at: time)
        }
        let master = RequestStats(startTime: Self.t0)
        master.merge(workerA.snapshot())
        master.merge(workerB.snapshot())
        let expected = all.snapshot()
        let merged = master.snapshot()
        #expect(merged.entries == expected.entries)
        #expect(merged.total == expected.total)
        #expect(merged.errors == expected.errors)
        #expect(merged.recentResponseTimes == expected.recentResponseTimes)
        for p in ReportedPercentiles.standard {
            #expect(merged.total.percentile(p) == expected.total.percentile(p))
        }
        // Value-level merging of cumulative snapshots gives the same.
        let combined = workerA.snapshot().merging(workerB.snapshot())
        #expect(combined.entries == expected.entries)
        #expect(combined.total == expected.total)
        #expect(combined.currentResponseTimePercentile(0.99, now: Self.t0 + 10) != nil)
        #expect(
            combined.currentResponseTimePercentile(0.99, now: Self.t0 + 10)
                == expected.currentResponseTimePercentile(0.99, now: Self.t0 + 10))
    }

    @Test func currentPercentilesCoverTheLastTenSeconds() {
        let stats = RequestStats(startTime: Self.t0)
        // Slow requests 30 s ago and 11 s ago, fast ones in the last 10 seconds.
        stats.record(method: "GET", name: "/", responseTime: 1_000, contentLength: 0, error: nil, at: Self.t0 + 0.5)
        stats.record(method: "GET", name: "/", responseTime: 900, contentLength: 0, error: nil, at: Self.t0 + 19.5)
        for index in 0 ..< 100 {
            stats.record(
                method: "GET", name: "/", responseTime: Double(index % 10 + 1), contentLength: 0, error: nil,
                at: Self.t0 + 21 + Double(index) / 11)
        }
        let now = Self.t0 + 30.5
        #expect(stats.currentResponseTimePercentile(1.0, now: now) == 10)
        #expect(withinTolerance(stats.currentResponseTimePercentile(0.5, now: now) ?? 0, 5))
        let both = stats.currentResponseTimePercentiles([0.5, 0.95], now: now) ?? []
        #expect(both.count == 2 && withinTolerance(both[0], 5) && both[1] == 10)
        #expect(stats.total.percentile(1.0) == 1_000)
        // A wider window reaches the 900 ms request 11 s back.
        #expect(stats.currentResponseTimePercentile(1.0, now: now, window: 12) == 900)
        // Nothing in the window: nil.
        #expect(stats.currentResponseTimePercentile(0.5, now: Self.t0 + 200) == nil)
    }

    @Test func resetKeepsEntriesListedButZeroed() {
        let stats = LocustReference.stats()
        stats.reset(at: LocustReference.base + 100)
        let snapshot = stats.snapshot()
        #expect(snapshot.entries.count == 3)
        #expect(snapshot.entries.allSatisfy { $0.numRequests == 0 && $0.histogram.isEmpty })
        #expect(snapshot.total.numRequests == 0)
        #expect(snapshot.total.startTime == LocustReference.base + 100)
        #expect(snapshot.errors.isEmpty)
        #expect(snapshot.exceptions.isEmpty)
        #expect(stats.currentResponseTimePercentile(0.5, now: LocustReference.base + 14) == nil)
    }

    @Test func snapshotAndResetHandsOverDeltas() {
        let worker = RequestStats(startTime: Self.t0)
        let master = RequestStats(startTime: Self.t0)
        let reference = RequestStats(startTime: Self.t0)
        for round in 0 ..< 3 {
            for index in 0 ..< 100 {
                let time = Self.t0 + Double(round) * 3 + Double(index) / 100
                let responseTime = Double(round * 100 + index)
                worker.record(method: "GET", name: "/", responseTime: responseTime, contentLength: 1, error: nil, at: time)
                reference.record(method: "GET", name: "/", responseTime: responseTime, contentLength: 1, error: nil, at: time)
            }
            master.merge(worker.snapshotAndReset())
            #expect(worker.total.numRequests == 0)
        }
        let merged = master.snapshot()
        let expected = reference.snapshot()
        #expect(merged.total.numRequests == 300)
        #expect(merged.total.histogram == expected.total.histogram)
        #expect(merged.total.requestsPerSecond == expected.total.requestsPerSecond)
        #expect(merged.total.percentile(0.99) == expected.total.percentile(0.99))
        #expect(merged.recentResponseTimes == expected.recentResponseTimes)
    }
}

struct HostileSnapshotTests {
    @Test func corruptSnapshotsAreRejectedOrAbsorbedWithoutTrapping() throws {
        let stats = LocustReference.stats()
        let json = String(decoding: try JSONEncoder().encode(stats.snapshot()), as: UTF8.self)
        // Negative counts are rejected.
        let negative = json.replacingOccurrences(of: "\"numRequests\":101", with: "\"numRequests\":-1")
        #expect(negative != json)
        #expect(throws: DecodingError.self) {
            _ = try JSONDecoder().decode(StatsSnapshot.self, from: Data(negative.utf8))
        }
        // Mismatched histogram arrays are rejected.
        let mismatched = json.replacingOccurrences(of: "\"counts\":[", with: "\"counts\":[1,")
        #expect(throws: DecodingError.self) {
            _ = try JSONDecoder().decode(StatsSnapshot.self, from: Data(mismatched.utf8))
        }
        // Absurd but well-formed values merge without trapping.
        let huge = json.replacingOccurrences(of: "\"numRequests\":101", with: "\"numRequests\":\(Int.max)")
            .replacingOccurrences(of: "\"lastRequestTimestamp\":1700000014.2", with: "\"lastRequestTimestamp\":1e300")
        let decoded = try JSONDecoder().decode(StatsSnapshot.self, from: Data(huge.utf8))
        stats.merge(decoded)
        stats.merge(decoded)
        let merged = stats.snapshot()
        _ = ConsoleReport().statsTable(merged)
        _ = StatsCSV().requestsCSV(merged)
        #expect(merged.entries.count == 3)
    }
}
