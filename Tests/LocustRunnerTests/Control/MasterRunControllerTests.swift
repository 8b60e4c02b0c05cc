import LocustStats
import Testing
@testable import LocustRunner

/// The master's controller, with a fake coordinator and hand-fired timers.
struct MasterRunControllerTests {
    func make() async -> (MasterRunController, FakeCoordinator, ManualScheduler, EventLog) {
        let coordinator = FakeCoordinator()
        let scheduler = ManualScheduler()
        let controller = MasterRunController(
            classes: [.init(name: "Web", weight: 1, host: nil)], coordinator: coordinator, stats: RequestStats(),
            host: "http://127.0.0.1:8080", stopTimeout: 1, resetStatsWhenSpawned: false, scheduler: scheduler,
            logger: quietLogger())
        await controller.attach()
        return (controller, coordinator, scheduler, EventLog(controller.events))
    }

    @Test func noSlavesNoStart() async {
        let (controller, coordinator, _, _) = await make()
        await #expect(throws: StartRefusal("You can't start a distributed test before at least one slave has connected")) {
            try await controller.start(StartRequest(users: 10, spawnRate: 1))
        }
        #expect(coordinator.starts.isEmpty)
        #expect(controller.status().state == .ready)
    }

    @Test func startRunsWhenSlavesCompleteThenStops() async throws {
        let (controller, coordinator, _, events) = await make()
        coordinator.setSlaves(2)
        try await controller.start(StartRequest(users: 10, spawnRate: 5, host: "http://127.0.0.1:1"))
        #expect(coordinator.starts == [.init(users: 10, rate: 5, host: "http://127.0.0.1:1", classNames: ["Web"])])
        #expect(controller.status().state == .spawning)
        coordinator.completeSpawning(users: 10)
        await events.wait(for: .spawningComplete(users: 10))
        #expect(controller.status().state == .running)
        #expect(controller.status().workerCount == 2)
        await controller.stop(reason: .requested)
        #expect(coordinator.stops == [1])
        #expect(controller.status().state == .stopped)
    }

    @Test func waitForSlavesReturnsWhenEnoughJoinOrTimesOut() async {
        let (controller, coordinator, scheduler, _) = await make()
        let waiting = Task { await controller.waitForSlaves(2, within: .seconds(60)) }
        await scheduler.waitForTimers(1)
        coordinator.setSlaves(1)
        coordinator.setSlaves(2)
        #expect(await waiting.value == true)

        let late = Task { await controller.waitForSlaves(3, within: .seconds(5)) }
        await scheduler.waitForTimers(2)
        await scheduler.fireAnyway(scheduler.scheduled[1])
        #expect(await late.value == false)
    }

    @Test func theLastSlaveLeavingStopsTheTest() async throws {
        let (controller, coordinator, _, events) = await make()
        coordinator.setSlaves(1)
        try await controller.start(StartRequest(users: 1, spawnRate: 1))
        coordinator.setSlaves(0)
        await events.wait(for: .testStopped(.noSlavesLeft))
        #expect(controller.status().state == .stopped)
    }

    @Test func theLastSlaveGoingMissingStopsTheTestSayingSo() async throws {
        let (controller, coordinator, _, events) = await make()
        coordinator.setSlaves(2)
        try await controller.start(StartRequest(users: 2, spawnRate: 2))
        coordinator.setSlaves(1, missing: 1)
        #expect(controller.status().state.isActive)
        coordinator.setSlaves(0, missing: 2)
        await events.wait(for: .testStopped(.lastSlaveMissing))
        #expect(controller.status().state == .stopped)
    }

    @Test func runTimeStopsTheClusterTest() async throws {
        let (controller, coordinator, scheduler, events) = await make()
        coordinator.setSlaves(1)
        try await controller.start(StartRequest(users: 1, spawnRate: 1, runTime: .seconds(3)))
        await scheduler.fireActive()
        await events.wait(for: .testStopped(.runTime))
        #expect(coordinator.stops.count == 1)
    }
}
