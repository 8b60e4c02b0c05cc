import Foundation
import LocustRunner
import LocustStats

/// `locust-slave-sim --codec-benchmark`: what one statistics report costs on each side, with the real
/// types and the simulator's real frame: recording its samples into a fresh `RequestStats` (as after
/// every `snapshotAndReset`), taking the delta, encoding the `stats` message with
/// `ClusterMessageCodec` (slave), decoding it (`.toMaster`) and merging it (master).
enum CodecBenchmark {
    static func run(names: Int, samples: Int, rounds: Int) {
        let traffic = SyntheticTraffic(names: names, rpsPerUser: 1, failRatio: 0.01)
        var rng = FastRandom(seed: 42)
        let clock = ContinuousClock()
        var record = Duration.zero, snapshot = Duration.zero, encode = Duration.zero
        var decode = Duration.zero, merge = Duration.zero
        var leanEncode = Duration.zero, leanDecode = Duration.zero
        var bytes = 0, leanBytes = 0
        var roundTrips = 0
        let master = RequestStats()
        let slave = RequestStats()
        let nodeID = "sim-0_\(SlaveSimulatorMain.randomHex())"
        let interval = ClusterProtocol.statsInterval
        // `samples` requests made by users at 1 req/s over one statistics interval.
        let users = max(1, Int((Double(samples) / interval).rounded()))
        for round in 0..<rounds {
            let now = Date().timeIntervalSince1970
            var start = clock.now
            traffic.record(into: slave, users: users, from: now - interval, to: now, rng: &rng)
            record += start.duration(to: clock.now)
            start = clock.now
            let delta = slave.snapshotAndReset()
            snapshot += start.duration(to: clock.now)
            let report = ClusterMessage.StatsReport(
                snapshot: delta, userCount: users, userClassesCount: ["SimUser": users], test: "0123456789abcdef-1")
            start = clock.now
            let frame = ClusterMessageCodec.encode(.stats(report), nodeID: nodeID)
            encode += start.duration(to: clock.now)
            bytes = frame.count
            start = clock.now
            let decoded: (message: ClusterMessage, nodeID: String?)
            do {
                decoded = try ClusterMessageCodec.decode(frame, direction: .toMaster)
            } catch {
                fatalError("round \(round): the master cannot decode the report: \(error)")
            }
            decode += start.duration(to: clock.now)
            guard case .stats(let received) = decoded.message else { fatalError("not a stats message") }
            // The same report as our slaves send it to a SwiftLocust master (no Locust part).
            var lean = report
            lean.includesLocustPart = false
            start = clock.now
            let leanFrame = ClusterMessageCodec.encode(.stats(lean), nodeID: nodeID)
            leanEncode += start.duration(to: clock.now)
            leanBytes = leanFrame.count
            start = clock.now
            let leanDecoded = try? ClusterMessageCodec.decode(leanFrame, direction: .toMaster)
            leanDecode += start.duration(to: clock.now)
            if case .stats(let leanReceived)? = leanDecoded?.message, leanReceived.snapshot != received.snapshot {
                fatalError("round \(round): the lean report decodes to another snapshot")
            }
            if received == report && decoded.nodeID == nodeID { roundTrips += 1 }
            start = clock.now
            master.merge(received.snapshot)
            merge += start.duration(to: clock.now)
        }
        func us(_ duration: Duration, per count: Int = rounds) -> String {
            let (seconds, attoseconds) = duration.components
            return String(format: "%.1f", (Double(seconds) + Double(attoseconds) / 1e18) * 1e6 / Double(count))
        }
        // The master's side alone, as a SwiftLocust master receiving our slaves' reports does it: lean
        // frames encoded beforehand (each a fresh delta), then only decoded and merged, over and over.
        var frames: [[UInt8]] = []
        for _ in 0..<20 {
            let now = Date().timeIntervalSince1970
            traffic.record(into: slave, users: users, from: now - interval, to: now, rng: &rng)
            let report = ClusterMessage.StatsReport(
                snapshot: slave.snapshotAndReset(), userCount: users, userClassesCount: ["SimUser": users],
                test: "0123456789abcdef-1", includesLocustPart: false)
            frames.append(ClusterMessageCodec.encode(.stats(report), nodeID: nodeID))
        }
        let masterRounds = max(rounds, 20) * 10
        var masterDecode = Duration.zero, masterMerge = Duration.zero
        let masterOnly = RequestStats()
        for round in 0..<masterRounds {
            var start = clock.now
            guard case .stats(let received)? = try? ClusterMessageCodec.decode(frames[round % frames.count], direction: .toMaster).message else {
                fatalError("master round \(round): the master cannot decode the report")
            }
            masterDecode += start.duration(to: clock.now)
            start = clock.now
            masterOnly.merge(received.snapshot)
            masterMerge += start.duration(to: clock.now)
        }
        let header = bytes <= 255 ? 2 : 9
        print("""
            codec benchmark: \(names) request names, ~\(samples) samples per report (\(users) users at 1 req/s over \(String(format: "%g", interval)) s), \(rounds) rounds; stats frame \(bytes) bytes of MessagePack (\(bytes + header) with its ZMTP header)
            slave:  record samples \(us(record)) µs, snapshotAndReset \(us(snapshot)) µs, encode \(us(encode)) µs
            master: decode \(us(decode)) µs, merge \(us(merge)) µs (per report)
            master alone (\(masterRounds) lean reports of \(frames.count) frames, decoded and merged in a loop): decode \(us(masterDecode, per: masterRounds)) µs, merge \(us(masterMerge, per: masterRounds)) µs
            lean (to a SwiftLocust master, without Locust's part): \(leanBytes) bytes, encode \(us(leanEncode)) µs, decode \(us(leanDecode)) µs
            round trip: \(roundTrips) of \(rounds) reports decoded equal to what was encoded
            """)
    }
}
