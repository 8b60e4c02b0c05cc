import Foundation
import Testing
@testable import LocustStats

/// Exact nearest-rank percentile of a sample set (rank `ceil(p * n)`, at least 1).
func exactPercentile(_ sorted: [Double], _ p: Double) -> Double {
    let rank = max(1, Int((p * Double(sorted.count)).rounded(.up)))
    return sorted[min(rank, sorted.count) - 1]
}

/// True when `value` is within 0.1 % (plus the 1 µs recording resolution) of `expected`.
func withinTolerance(_ value: Double, _ expected: Double) -> Bool {
    abs(value - expected) <= expected * 0.001 + 0.0005
}

/// A small deterministic generator for test data.
struct SplitMix64 {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}

struct StatsEntryTests {
    static let t0 = 1_700_000_000.0

    func entry(recording samples: [Double], failedEvery: Int = 0) -> StatsEntry {
        var entry = StatsEntry(method: "GET", name: "/", startTime: Self.t0)
        for (index, sample) in samples.enumerated() {
            let failed = failedEvery > 0 && index % failedEvery == 0
            entry.record(responseTime: sample, contentLength: 10, failed: failed, at: Self.t0 + Double(index) * 0.01)
        }
        return entry
    }

    @Test func percentilesOfOneToThousandMilliseconds() {
        let samples = (1 ... 1000).map(Double.init)
        let entry = entry(recording: samples.shuffled())
        for p in ReportedPercentiles.standard {
            let expected = exactPercentile(samples, p)
            #expect(withinTolerance(entry.percentile(p), expected), "p\(p): \(entry.percentile(p)) vs \(expected)")
        }
        #expect(entry.percentile(1.0) == 1000)
        #expect(entry.percentile(0) == 1)
        #expect(withinTolerance(entry.median, 500))
        #expect(withinTolerance(entry.percentile(0.99), 990))
        #expect(entry.percentile(0.99) <= entry.percentile(1.0))
    }

    @Test func minMaxAverageAndCountsAreExact() {
        let samples = [3.25, 1.5, 700.125, 42.0, 0.75]
        let entry = entry(recording: samples, failedEvery: 2)
        #expect(entry.numRequests == 5)
        #expect(entry.numFailures == 3)
        #expect(entry.minResponseTime == 0.75)
        #expect(entry.maxResponseTime == 700.125)
        #expect(entry.totalResponseTime == samples.reduce(0, +))
        #expect(entry.average == samples.reduce(0, +) / 5)
        // Histogram values are exact to the microsecond below 2.048 ms, within 0.1 % above.
        #expect(withinTolerance(entry.median, 3.25))
        #expect(entry.median >= 3.25)
        let small = self.entry(recording: [0.5, 1.25, 2.0, 0.001, 1.999])
        #expect(small.median == 1.25)
        #expect(small.percentile(0.75) == 1.999)
        #expect(small.percentile(0.2) == 0.001)
        #expect(entry.percentile(1.0) == 700.125)
        #expect(entry.percentile(0) == 0.75)
        #expect(entry.totalContentLength == 50)
        #expect(entry.averageContentLength == 10)
        #expect(entry.failRatio == 0.6)
    }

    @Test func bimodalPercentiles() {
        var samples: [Double] = []
        for index in 0 ..< 900 { samples.append(4 + Double(index) / 900) }  // fast mode, 4-5 ms
        for index in 0 ..< 100 { samples.append(200 + Double(index)) }  // slow mode, 200-299 ms
        let entry = entry(recording: samples.shuffled())
        let sorted = samples.sorted()
        for p in ReportedPercentiles.standard + [0.899, 0.9, 0.901, 0.25] {
            #expect(withinTolerance(entry.percentile(p), exactPercentile(sorted, p)), "p\(p)")
        }
        #expect(entry.percentile(0.9) < 5)
        #expect(entry.percentile(0.91) >= 200)
        #expect(entry.percentile(1.0) == 299)
    }

    @Test func randomLogUniformPercentilesWithinAThousandth() {
        var random = SplitMix64(state: 42)
        // 0.05 ms ... 20 s, log-uniform.
        let samples = (0 ..< 20_000).map { _ in 0.05 * pow(10, random.unit() * 5.6) }
        let entry = entry(recording: samples)
        let sorted = samples.sorted()
        for p in ReportedPercentiles.standard + [0.1, 0.333, 0.5, 0.777] {
            let expected = exactPercentile(sorted, p)
            #expect(withinTolerance(entry.percentile(p), expected), "p\(p): \(entry.percentile(p)) vs \(expected)")
        }
        #expect(entry.percentile(1.0) == sorted.last)
    }

    @Test func mergeOfTwoHalvesEqualsRecordingAll() {
        var random = SplitMix64(state: 7)
        // Multiples of 1/8 ms add exactly, so the sums match whatever the order.
        let samples = (0 ..< 5_000).map { _ in Double(random.next() % 400_000) / 8 }
        var all = StatsEntry(method: "GET", name: "/", startTime: Self.t0)
        var first = StatsEntry(method: "GET", name: "/", startTime: Self.t0)
        var second = StatsEntry(method: "GET", name: "/", startTime: Self.t0 + 5)
        for (index, sample) in samples.enumerated() {
            let time = Self.t0 + Double(index) * 0.003
            let failed = index % 7 == 0
            all.record(responseTime: sample, contentLength: index, failed: failed, at: time)
            if index % 2 == 0 {
                first.record(responseTime: sample, contentLength: index, failed: failed, at: time)
            } else {
                second.record(responseTime: sample, contentLength: index, failed: failed, at: time)
            }
        }
        var merged = first
        merged.merge(second)
        #expect(merged == all)
        #expect(merged.histogram == all.histogram)
        #expect(merged.requestsPerSecond == all.requestsPerSecond)
        #expect(merged.failuresPerSecond == all.failuresPerSecond)
        for p in ReportedPercentiles.standard {
            #expect(merged.percentile(p) == all.percentile(p))
        }
        #expect(merged.startTime == Self.t0)
        #expect(merged.lastRequestTimestamp == all.lastRequestTimestamp)
    }

    @Test func currentRPSUsesLocustWindow() {
        var entry = StatsEntry(method: "GET", name: "/", startTime: Self.t0)
        // Second s (relative) holds s requests, one failure every other second, for s = 0 ..< 20.
        for second in 0 ..< 20 {
            for index in 0 ..< second {
                entry.record(
                    responseTime: 1, contentLength: 0, failed: index == 0 && second % 2 == 0,
                    at: Self.t0 + Double(second) + Double(index) / Double(second + 1))
            }
        }
        // Locust: seconds max(now - 12, start) ..< now - 2 = 7 ... 16 -> mean 11.5.
        #expect(entry.currentRPS(now: Self.t0 + 19.5) == 11.5)
        // Failures at even seconds 8, 10, 12, 14, 16 within 7 ... 16 -> 5 / 10.
        #expect(entry.currentFailPerSec(now: Self.t0 + 19.5) == 0.5)
        // The window never starts before the start time: seconds 15 and 16.
        #expect(entry.currentRPS(now: Self.t0 + 19.5, since: Self.t0 + 15) == 15.5)
        // An empty window (start too recent) gives 0.
        #expect(entry.currentRPS(now: Self.t0 + 19.5, since: Self.t0 + 18) == 0)
        // Seconds with no request count as 0: now = 30 -> window 18 ... 27 holds only 18 and 19.
        #expect(entry.currentRPS(now: Self.t0 + 30.2) == 3.7)
    }

    @Test func totalRPSDividesByTheRunDuration() {
        var entry = StatsEntry(method: "GET", name: "/", startTime: Self.t0)
        #expect(entry.totalRPS == 0)
        for index in 0 ..< 100 {
            entry.record(responseTime: 2, contentLength: 0, failed: index < 25, at: Self.t0 + Double(index + 1) / 10)
        }
        #expect(entry.totalRPS == 10)
        #expect(entry.totalFailPerSec == 2.5)
        #expect(entry.totalRPS(startTime: Self.t0 - 10, lastRequestTimestamp: Self.t0 + 10) == 5)
    }

    @Test func hostileInputsDoNotTrap() {
        var entry = StatsEntry(method: "GET", name: "/")
        entry.record(responseTime: .nan, contentLength: -5, failed: false, at: .infinity)
        entry.record(responseTime: -3, contentLength: .max, failed: true, at: Self.t0)
        entry.record(responseTime: .infinity, contentLength: 1, failed: false, at: Self.t0)
        #expect(entry.numRequests == 3)
        #expect(entry.minResponseTime == 0)
        #expect(entry.maxResponseTime == 1e12)
        #expect(entry.percentile(1.0) == 1e12)
        #expect(entry.percentile(0.5) == 0)
    }

    @Test func resetClearsEverythingAndRestartsTheClock() {
        var entry = entry(recording: [1, 2, 3], failedEvery: 1)
        entry.reset(at: Self.t0 + 100)
        #expect(entry.numRequests == 0)
        #expect(entry.numFailures == 0)
        #expect(entry.minResponseTime == nil)
        #expect(entry.maxResponseTime == 0)
        #expect(entry.histogram.isEmpty)
        #expect(entry.requestsPerSecond.isEmpty)
        #expect(entry.lastRequestTimestamp == nil)
        #expect(entry.startTime == Self.t0 + 100)
        #expect(entry.name == "/")
        #expect(entry.percentile(0.5) == 0)
    }

    @Test func startTimeIsSetByTheFirstRecordWhenUnset() {
        var entry = StatsEntry(method: "GET", name: "/")
        #expect(entry.startTime == 0)
        entry.record(responseTime: 1, contentLength: 0, failed: false, at: Self.t0 + 3)
        #expect(entry.startTime == Self.t0 + 3)
    }
}
