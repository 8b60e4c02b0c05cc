@_spi(Runner) import LocustAPI
import LocustStats
import Synchronization
import Testing
@testable import LocustRunner

/// Seconds moved by hand: a wait for second N returns once the test advanced to N.
final class ManualShapeClock: ShapeClock {
    private let state = Mutex<(second: Int, waiters: [(Int, CheckedContinuation<Bool, Never>)])>((0, []))
    let now = ContinuousClock.now

    func wait(untilSecond second: Int, since start: ContinuousClock.Instant) async -> Bool {
        await withCheckedContinuation { continuation in
            let ready = state.withLock { state -> Bool in
                if state.second >= second { return true }
                state.waiters.append((second, continuation))
                return false
            }
            if ready { continuation.resume(returning: true) }
        }
    }

    func advance(to second: Int) {
        let ready = state.withLock { state -> [CheckedContinuation<Bool, Never>] in
            state.second = second
            let due = state.waiters.filter { $0.0 <= second }.map(\.1)
            state.waiters.removeAll { $0.0 <= second }
            return due
        }
        for waiter in ready { waiter.resume(returning: true) }
    }
}

/// A load shape driving the standalone controller: its ticks become starts, nil ends the test.
struct ShapedRunControllerTests {
    func make(_ shape: LoadShape) async -> (ShapedRunController, FakeSpawner, ManualShapeClock, EventLog) {
        let spawner = FakeSpawner(names: ["Web", "Api"])
        let inner = LocalRunController(
            classes: [.init(name: "Web", weight: 1, host: nil), .init(name: "Api", weight: 1, host: nil)], spawner: spawner,
            stats: RequestStats(), host: "http://127.0.0.1:8080", stopTimeout: 0, resetStatsWhenSpawned: false,
            scheduler: ManualScheduler(), logger: quietLogger())
        await inner.attach()
        let clock = ManualShapeClock()
        let controller = ShapedRunController(inner: inner, shape: shape, clock: clock, logger: quietLogger())
        return (controller, spawner, clock, EventLog(inner.events))
    }

    static let shape = LoadShape("burst") { elapsed in
        switch elapsed {
        case ..<2: LoadShapeTick(users: 2, spawnRate: 2)
        case ..<3: LoadShapeTick(users: 5, spawnRate: 3, userClasses: ["Api"])
        default: nil
        }
    }

    @Test func ticksBecomeStartsWhenTheyChangeAndNilEndsTheTest() async throws {
        let (controller, spawner, clock, events) = await make(Self.shape)
        // The form's users and rate are not used: the shape's first tick is.
        try await controller.start(StartRequest(users: 99, spawnRate: 99))
        await spawner.waitForSpawns(1)
        #expect(spawner.spawns[0].target == [1, 1] && spawner.spawns[0].rate == 2)
        clock.advance(to: 1)
        clock.advance(to: 2)
        await spawner.waitForSpawns(2)
        // Second 1 said the same as second 0: no new start; second 2 moved to 5 users of Api only.
        #expect(spawner.spawns[1].target == [0, 5] && spawner.spawns[1].rate == 3)
        clock.advance(to: 3)
        await events.wait(for: .testStopped(.shapeEnded("burst")))
        #expect(controller.status().state == .stopped)
    }

    @Test func anEditWhileTheShapeDrivesIsRefusedAndAStopEndsTheShape() async throws {
        let (controller, spawner, clock, events) = await make(Self.shape)
        try await controller.start(StartRequest(users: 1, spawnRate: 1))
        await spawner.waitForSpawns(1)
        await #expect(throws: StartRefusal("The load shape burst drives this test: stop it to start another")) {
            try await controller.start(StartRequest(users: 3, spawnRate: 1))
        }
        await controller.stop(reason: .requested)
        await events.wait(for: .testStopped(.requested))
        clock.advance(to: 5)
        // The shape no longer drives: no start after the stop.
        #expect(spawner.spawns.count == 1)
        // A new test starts the shape from its beginning.
        try await controller.start(StartRequest(users: 1, spawnRate: 1))
        await spawner.waitForSpawns(2)
        #expect(spawner.spawns[1].target == [1, 1])
    }

    @Test func stagesAndStepsAreShapes() {
        let stages = LoadStages(stages: [.init(seconds: 2, users: 4), .init(seconds: 2, users: 4), .init(seconds: 2, users: 0)]).shape
        #expect((0...6).map { stages.at(Double($0))?.users } == [0, 2, 4, 4, 4, 2, nil])
        #expect(stages.at(1)?.spawnRate == 2)
        let steps = LoadShape.steps("s", users: 10, every: 30, upTo: 25, for: 100)
        #expect([0, 29, 30, 60, 99].map { steps.at(Double($0))?.users } == [10, 10, 20, 25, 25])
        #expect(steps.at(100) == nil)
    }

    @Test func theCommandLineChoosesTheShape() throws {
        let one = [Self.shape]
        #expect(try ShapeSelection.pluginDefault.resolve(one)?.name == "burst")
        #expect(try ShapeSelection.pluginDefault.resolve(one + [LoadShape("other") { _ in nil }])?.name == nil)
        #expect(try ShapeSelection.none.resolve(one)?.name == nil)
        let error = #expect(throws: RunnerError.self) { try ShapeSelection.named("x").resolve(one) }
        #expect(error?.description == "unknown load shape 'x': the plugin has burst")
        let options = try LocustCommand.parseOptions(["-f", "x.so", "--step-load", "--step-users", "5", "--step-time", "10s", "-u", "20"])
        #expect(try ShapeSelection.make(options: options, users: 20, runTime: nil) == .steps(users: 5, seconds: 10, maximum: 20, duration: nil))
        let both = try LocustCommand.parseOptions(["-f", "x.so", "--stages", "1s:1", "--shape", "burst"])
        #expect(throws: RunnerError.self) { try ShapeSelection.make(options: both, users: 1, runTime: nil) }
    }
}
