import Foundation
import LocustRunner
import LocustStats

/// `locust-slave-sim --codec-benchmark`: what one statistics report costs on each side, with the real
/// types: recording its samples into a fresh `RequestStats` (as after every `snapshotAndReset`), taking
/// the delta, encoding the `stats` message (slave), decoding it and merging it (master).
enum CodecBenchmark {
    static func run(names: Int, samples: Int, rounds: Int) {
        let traffic = SyntheticTraffic(names: names, rpsPerUser: 1, failRatio: 0.01)
        var rng = SplitMix64(seed: 42)
        let clock = ContinuousClock()
        var record = Duration.zero, snapshot = Duration.zero, encode = Duration.zero
        var decode = Duration.zero, merge = Duration.zero
        var bytes = 0
        let master = RequestStats()
        let slave = RequestStats()
        for _ in 0..<rounds {
            let now = Date().timeIntervalSince1970
            // `samples` requests made by `samples / 3` users at 1 req/s over 3 s.
            var start = clock.now
            traffic.record(into: slave, users: max(1, samples / 3), from: now - 3, to: now, rng: &rng)
            record += start.duration(to: clock.now)
            start = clock.now
            let delta = slave.snapshotAndReset()
            snapshot += start.duration(to: clock.now)
            start = clock.now
            let payload = try! ClusterMessage.stats(.init(snapshot: delta, userCount: samples / 3)).payload()
            encode += start.duration(to: clock.now)
            bytes = payload.count
            start = clock.now
            let message = try! ClusterMessage.decode(payload)
            decode += start.duration(to: clock.now)
            guard case .stats(let report) = message else { fatalError("not a stats message") }
            start = clock.now
            master.merge(report.snapshot)
            merge += start.duration(to: clock.now)
        }
        func ms(_ duration: Duration) -> String {
            let (seconds, attoseconds) = duration.components
            return String(format: "%.3f", (Double(seconds) + Double(attoseconds) / 1e18) * 1000 / Double(rounds))
        }
        print("""
            codec benchmark: \(names) request names, ~\(samples) samples per report, \(rounds) rounds; payload \(bytes) bytes
            slave:  record samples \(ms(record)) ms, snapshotAndReset \(ms(snapshot)) ms, encode \(ms(encode)) ms
            master: decode \(ms(decode)) ms, merge \(ms(merge)) ms (per report)
            """)
    }
}
