import LocustStats
import Testing
@testable import LocustRunner

/// The standalone controller with an open-model start (a fake spawner: no users, no sleeps).
struct OpenModelControllerTests {
    let classes = [
        LocalRunController.ClassInfo(name: "Web", weight: 3, host: nil),
        LocalRunController.ClassInfo(name: "Api", weight: 1, host: "http://127.0.0.1:9"),
    ]
    let arrival = ArrivalPlan(schedule: ArrivalSchedule(startRate: 100), maxConcurrency: 10)

    @Test func anOpenModelTestRunsAtOnceAndCannotBeEdited() async throws {
        let spawner = FakeSpawner(names: classes.map(\.name))
        let controller = LocalRunController(
            classes: classes, spawner: spawner, stats: RequestStats(), host: "http://127.0.0.1:8080", stopTimeout: 0,
            resetStatsWhenSpawned: false, scheduler: ManualScheduler(), logger: quietLogger())
        await controller.attach()
        let events = EventLog(controller.events)
        try await controller.start(StartRequest(users: 0, spawnRate: 1, arrival: arrival))
        await events.wait(for: .spawningComplete(users: 0))
        #expect(controller.status().state == .running)
        #expect(spawner.spawns.isEmpty, "no users are spawned")
        #expect(controller.stats.snapshot().openModel?.droppedIterations == 0)
        await #expect(throws: StartRefusal.self) { try await controller.start(StartRequest(users: 0, spawnRate: 1, arrival: arrival)) }
        await #expect(throws: StartRefusal.self) { try await controller.start(StartRequest(users: 3, spawnRate: 1)) } 
        await controller.stop(reason: .requested)
        #expect(controller.status().state == .stopped)
        // The next test, a closed one, has no open-model part any more.
        try await controller.start(StartRequest(users: 2, spawnRate: 2))
        #expect(controller.stats.snapshot().openModel == nil)
    }

    @Test func aMasterRefusesTheOpenModelWithAPythonWorkerAndEndsTheStagesOnItsClock() async throws {
        let coordinator = FakeCoordinator()
        let scheduler = ManualScheduler()
        let controller = MasterRunController(
            classes: classes, coordinator: coordinator, stats: RequestStats(), host: "http://127.0.0.1:8080", stopTimeout: 0,
            resetStatsWhenSpawned: false, scheduler: scheduler, logger: quietLogger())
        await controller.attach()
        coordinator.setSlaves(2)
        coordinator.setPythonWorkers(1)
        await #expect(throws: StartRefusal.self) { try await controller.start(StartRequest(users: 0, spawnRate: 1, arrival: arrival)) }
        #expect(coordinator.arrivals.isEmpty)
        coordinator.setPythonWorkers(0)
        let ramp = ArrivalPlan(schedule: ArrivalSchedule(startRate: 0, stages: [.init(seconds: 20, rate: 50)]), maxConcurrency: 3)
        try await controller.start(StartRequest(users: 0, spawnRate: 1, arrival: ramp))
        #expect(coordinator.arrivals == [ramp])
        #expect(controller.stats.snapshot().openModel != nil)
        // The end of the stages is the master's timer.
        await scheduler.waitForTimers(1)
        #expect(scheduler.active.count == 1)
        let events = EventLog(controller.events)
        await scheduler.fireActive()
        await events.wait(for: .testStopped(.arrivalsEnded))
        #expect(coordinator.stops.count == 1)
    }
}
