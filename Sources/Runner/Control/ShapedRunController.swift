import Foundation
@_spi(Runner) import LocustAPI
import LocustStats

/// A run controller driven by a load shape (Locust's `LoadTestShape`, `--stages`, `--step-load`): a
/// start begins the shape, whose answer each second becomes the inner controller's users, rate and
/// classes, until the shape ends the test (or a stop, `-t`, or every user ending does). The front ends
/// are unchanged: the headless start, the web UI's start button and `POST /swarm` all start the shape;
/// `-u` and `-r` are not used, and an edit while the shape drives is refused.
actor ShapedRunController: RunController {
    let inner: any RunController
    let shape: LoadShape
    private let clock: any ShapeClock
    private let logger: RunLogger
    private var driver: Task<Void, Never>?

    nonisolated var stats: RequestStats { inner.stats }
    nonisolated var events: EventBroadcaster { inner.events }
    nonisolated var isDistributed: Bool { inner.isDistributed }

    /// Drives `inner` with `shape` on `clock`.
    init(inner: any RunController, shape: LoadShape, clock: any ShapeClock = ContinuousShapeClock(), logger: RunLogger) {
        self.inner = inner
        self.shape = shape
        self.clock = clock
        self.logger = logger
    }

    nonisolated func status() -> RunStatus { inner.status() }

    func start(_ request: StartRequest) async throws(StartRefusal) {
        guard !inner.status().state.isActive else {
            throw StartRefusal("The load shape \(shape.name) drives this test: stop it to start another")
        }
        guard let first = shape.at(0) else {
            throw StartRefusal("The load shape \(shape.name) ends before it starts (its first tick is nil)")
        }
        driver?.cancel()
        let start = clock.now
        logger.info("Running the load shape \(shape.name): it sets users and rate every second; -u and -r are not used")
        try await inner.start(Self.request(first, host: request.host, runTime: request.runTime))
        let test = inner.status().testIndex
        driver = Task { [inner, shape, clock, logger] in
            await Self.drive(shape, from: first, inner: inner, test: test, clock: clock, start: start, host: request.host, logger: logger)
        }
    }

    func stop(reason: StopReason) async {
        driver?.cancel()
        driver = nil
        await inner.stop(reason: reason)
    }

    func reset() async { await inner.reset() }

    func userClassCounts() async -> [String: Int] { await inner.userClassCounts() }

    /// The start request for one tick.
    static func request(_ tick: LoadShapeTick, host: String?, runTime: Duration? = nil) -> StartRequest {
        StartRequest(users: max(0, tick.users), spawnRate: tick.spawnRate, host: host, userClasses: tick.userClasses, runTime: runTime)
    }

    /// Each second after the first: the shape's answer, applied when it changed; nil stops the test.
    /// Returns when the test `test` is no longer the inner controller's running one.
    static func drive(
        _ shape: LoadShape, from first: LoadShapeTick, inner: any RunController, test: Int, clock: any ShapeClock,
        start: ContinuousClock.Instant, host: String?, logger: RunLogger
    ) async {
        var current = first
        var second = 0
        while true {
            second += 1
            guard await clock.wait(untilSecond: second, since: start), !Task.isCancelled else { return }
            let status = inner.status()
            guard status.testIndex == test, status.state.isActive else { return }
            guard let tick = shape.at(Double(second)) else {
                await inner.stop(reason: .shapeEnded(shape.name))
                return
            }
            guard tick != current else { continue }
            do {
                try await inner.start(request(tick, host: host))
                current = tick
            } catch {
                logger.error("The load shape \(shape.name) asked for what cannot run (\(error.message)): stopping the test")
                await inner.stop(reason: .shapeEnded(shape.name))
                return
            }
        }
    }
}
