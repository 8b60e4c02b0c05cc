import Foundation
import LocustRunner
import LocustStats

/// The synthetic requests a simulated slave reports: `names` request names (a few are POSTs) hit
/// with a Zipf-like popularity, log-normal response times around 40 ms, sizes of 0.5-8 kB, and a
/// share of failures with Locust-like messages.
struct SyntheticTraffic: Sendable {
    let requests: [(method: String, name: String)]
    /// Cumulative popularity of `requests`, ending at 1.
    private let cumulative: [Double]
    let rpsPerUser: Double
    let failRatio: Double

    static let failures = [
        "HTTPError('500 Server Error: Internal Server Error for url: /api')",
        "ConnectionResetError(104, 'Connection reset by peer')",
        "HTTPError('503 Server Error: Service Unavailable for url: /api')",
    ]

    init(names: Int, rpsPerUser: Double, failRatio: Double) {
        requests = (0..<names).map { index in
            (method: index % 5 == 4 ? "POST" : "GET", name: "/api/v1/resource-\(index)")
        }
        let weights = (0..<names).map { 1.0 / Double($0 + 1) }
        let sum = weights.reduce(0, +)
        var running = 0.0
        cumulative = weights.map { weight in
            running += weight / sum
            return running
        }
        self.rpsPerUser = rpsPerUser
        self.failRatio = failRatio
    }

    /// Records into `stats` the requests `users` users made between `start` and `end` (epoch seconds).
    /// Returns how many were recorded.
    @discardableResult
    func record(into stats: RequestStats, users: Int, from start: Double, to end: Double, rng: inout FastRandom) -> Int {
        guard users > 0, end > start else { return 0 }
        let expected = Double(users) * rpsPerUser * (end - start)
        // Whole part plus a Bernoulli draw for the fraction keeps the long-run rate exact.
        var count = Int(expected)
        if rng.nextUnit() < expected - Double(count) { count += 1 }
        for _ in 0..<count {
            let request = requests[pick(rng.nextUnit())]
            // Log-normal: median 40 ms, sigma 0.7 (a tail to a few hundred ms).
            let u1 = max(rng.nextUnit(), 1e-12)
            let u2 = rng.nextUnit()
            let normal = (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
            let responseTime = (40 * exp(0.7 * normal) * 10).rounded() / 10
            let failed = rng.nextUnit() < failRatio
            let error = failed ? Self.failures[Int(rng.next() % UInt64(Self.failures.count))] : nil
            let size = failed ? 0 : 512 + Int(rng.next() % 7680)
            let at = start + (end - start) * rng.nextUnit()
            stats.record(
                method: request.method, name: request.name, responseTime: responseTime, contentLength: size,
                error: error, at: at)
        }
        return count
    }

    private func pick(_ u: Double) -> Int {
        var low = 0
        var high = cumulative.count - 1
        while low < high {
            let mid = (low + high) / 2
            if cumulative[mid] < u { low = mid + 1 } else { high = mid }
        }
        return low
    }
}
