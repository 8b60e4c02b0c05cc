import Synchronization

/// One response body kept for a short lifetime (Locust's `@memoize` on `/stats/requests`).
final class ResponseCache: Sendable {
    private struct Entry {
        var body: String
        var madeAt: ContinuousClock.Instant
    }

    private let lifetime: Duration
    private let entry = Mutex<Entry?>(nil)

    init(lifetime: Duration) {
        self.lifetime = lifetime
    }

    /// The kept body if it is younger than the lifetime, else a new one from `make` (kept from now).
    func body(now: ContinuousClock.Instant = .now, _ make: () -> String) -> String {
        if let kept = entry.withLock({ $0 }), now - kept.madeAt < lifetime { return kept.body }
        let body = make()
        entry.withLock { $0 = Entry(body: body, madeAt: now) }
        return body
    }

    /// Forgets the kept body (the state changed).
    func clear() {
        entry.withLock { $0 = nil }
    }
}
