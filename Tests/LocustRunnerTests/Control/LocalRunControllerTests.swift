import LocustStats
import Testing
@testable import LocustRunner

/// The standalone controller's transitions, with a fake spawner and hand-fired timers (no users, no sleeps).
struct LocalRunControllerTests {
    let classes = [
        LocalRunController.ClassInfo(name: "Web", weight: 3, host: nil),
        LocalRunController.ClassInfo(name: "Api", weight: 1, host: "http://127.0.0.1:9"),
    ]

    func make(host: String? = "http://127.0.0.1:8080", resetStats: Bool = false)
        async -> (LocalRunController, FakeSpawner, ManualScheduler, EventLog)
    {
        let spawner = FakeSpawner(names: classes.map(\.name))
        let scheduler = ManualScheduler()
        let controller = LocalRunController(
            classes: classes, spawner: spawner, stats: RequestStats(), host: host, stopTimeout: 2,
            resetStatsWhenSpawned: resetStats, scheduler: scheduler, logger: quietLogger())
        await controller.attach()
        return (controller, spawner, scheduler, EventLog(controller.events))
    }

    @Test func startSpawnsThenRuns() async throws {
        let (controller, spawner, _, events) = await make()
        #expect(controller.status().state == .ready)
        try await controller.start(StartRequest(users: 8, spawnRate: 4))
        #expect(controller.status().state == .spawning)
        await spawner.waitForSpawns(1)
        #expect(spawner.spawns[0].target == [6, 2])
        #expect(spawner.spawns[0].rate == 4)
        spawner.finishSpawn()
        await events.wait(for: .spawningComplete(users: 8))
        #expect(controller.status().state == .running)
        #expect(controller.status().userCount == 8)
        #expect(events.all.prefix(4) == [.statsReset, .testStarted(index: 1), .state(.spawning), .state(.running)])
    }

    @Test func editWhileRunningKeepsTheTestAndItsStatistics() async throws {
        let (controller, spawner, _, events) = await make()
        try await controller.start(StartRequest(users: 4, spawnRate: 10))
        await spawner.waitForSpawns(1)
        spawner.finishSpawn()
        await events.wait(for: .spawningComplete(users: 4))
        controller.stats.record(method: "GET", name: "/", responseTime: 1, contentLength: 1, error: nil)
        try await controller.start(StartRequest(users: 2, spawnRate: 1))
        await spawner.waitForSpawns(2)
        #expect(spawner.spawns[1].target == [2, 0])
        #expect(controller.status().testIndex == 1)
        #expect(controller.stats.total.numRequests == 1)
        #expect(events.all.filter { $0 == .statsReset }.count == 1)
    }

    @Test func stopStopsUsersAndANewTestResetsStatistics() async throws {
        let (controller, spawner, _, events) = await make()
        try await controller.start(StartRequest(users: 4, spawnRate: 10))
        await spawner.waitForSpawns(1)
        spawner.finishSpawn()
        controller.stats.record(method: "GET", name: "/", responseTime: 1, contentLength: 1, error: nil)
        await controller.stop(reason: .requested)
        #expect(controller.status().state == .stopped)
        #expect(spawner.stops == [2])
        await events.wait(for: .testStopped(.requested))
        #expect(controller.stats.total.numRequests == 1)
        try await controller.start(StartRequest(users: 1, spawnRate: 1))
        #expect(controller.status().testIndex == 2)
        #expect(controller.stats.total.numRequests == 0)
        await events.wait(for: .testStarted(index: 2))
    }

    @Test func stopWhenNothingRunsIsANoOp() async {
        let (controller, spawner, _, events) = await make()
        await controller.stop(reason: .requested)
        #expect(controller.status().state == .ready)
        #expect(spawner.stops.isEmpty)
        #expect(events.all.isEmpty)
    }

    @Test func supersededRampDoesNotMarkRunning() async throws {
        let (controller, spawner, _, _) = await make()
        try await controller.start(StartRequest(users: 100, spawnRate: 1))
        await spawner.waitForSpawns(1)
        await controller.stop(reason: .requested)
        spawner.finishSpawn()  // the first ramp ends after the stop: nothing changes
        #expect(controller.status().state == .stopped)
    }

    @Test func runTimeStopsTheTestAndIsCancelledByStop() async throws {
        let (controller, spawner, scheduler, events) = await make()
        try await controller.start(StartRequest(users: 2, spawnRate: 2, runTime: .seconds(30)))
        #expect(scheduler.active.count == 1)
        #expect(scheduler.active[0].delay == .seconds(30))
        await spawner.waitForSpawns(1)
        spawner.finishSpawn()
        await scheduler.fireActive()
        #expect(controller.status().state == .stopped)
        await events.wait(for: .testStopped(.runTime))

        // A new test without -t: the old timer is gone, and one that fires late stops nothing.
        try await controller.start(StartRequest(users: 2, spawnRate: 2))
        #expect(scheduler.active.isEmpty)
        await scheduler.fireAnyway(scheduler.scheduled[0])
        #expect(controller.status().state == .spawning)
    }

    @Test func editKeepsTheRunTimer() async throws {
        let (controller, spawner, scheduler, _) = await make()
        try await controller.start(StartRequest(users: 2, spawnRate: 2, runTime: .seconds(10)))
        await spawner.waitForSpawns(1)
        try await controller.start(StartRequest(users: 3, spawnRate: 2))
        #expect(scheduler.active.count == 1)
        await scheduler.fireActive()
        #expect(controller.status().state == .stopped)
    }

    @Test func stopCancelsTheRunTimer() async throws {
        let (controller, _, scheduler, _) = await make()
        try await controller.start(StartRequest(users: 2, spawnRate: 2, runTime: .seconds(10)))
        await controller.stop(reason: .requested)
        #expect(scheduler.active.isEmpty)
    }

    @Test func allUsersEndingStopsARunningTest() async throws {
        let (controller, spawner, _, events) = await make()
        try await controller.start(StartRequest(users: 2, spawnRate: 2))
        await spawner.waitForSpawns(1)
        spawner.finishSpawn()
        await events.wait(for: .spawningComplete(users: 2))
        spawner.endAllUsers()
        await events.wait(for: .testStopped(.allUsersStopped))
        #expect(controller.status().state == .stopped)
    }

    @Test func resetStatsWhenSpawned() async throws {
        let (controller, spawner, _, events) = await make(resetStats: true)
        try await controller.start(StartRequest(users: 1, spawnRate: 1))
        controller.stats.record(method: "GET", name: "/", responseTime: 1, contentLength: 1, error: nil)
        await spawner.waitForSpawns(1)
        spawner.finishSpawn()
        await events.wait(for: .spawningComplete(users: 1))
        #expect(controller.stats.total.numRequests == 0)
    }

    @Test(arguments: [
        (StartRequest(users: -1, spawnRate: 1), "Invalid user_count value: -1 (must be 0 or more)"),
        (StartRequest(users: 2_000_000, spawnRate: 1), "Invalid user_count value: 2000000 (at most 1000000 users per test)"),
        (StartRequest(users: 1, spawnRate: 0), "Invalid spawn_rate value: 0.0 (must be more than 0)"),
        (StartRequest(users: 1, spawnRate: .infinity), "Invalid spawn_rate value: inf (must be more than 0)"),
        (StartRequest(users: 1, spawnRate: 1, userClasses: ["Nope"]), "Unknown user class 'Nope': available are Web, Api"),
        (StartRequest(users: 1, spawnRate: 1, userClasses: []), "No user class selected: choose at least one"),
        (StartRequest(users: 1, spawnRate: 1, host: "ftp://x"), "invalid host 'ftp://x': it must start with http:// or https://"),
    ])
    func badStartsAreRefusedAndChangeNothing(request: StartRequest, message: String) async throws {
        let (controller, spawner, _, events) = await make()
        await #expect(throws: StartRefusal(message)) { try await controller.start(request) }
        #expect(controller.status().state == .ready)
        #expect(spawner.spawns.isEmpty)
        #expect(events.all.isEmpty)
    }

    @Test func aClassWithoutHostNeedsOne() async {
        let (controller, _, _, _) = await make(host: nil)
        await #expect(throws: StartRefusal("No host for Web: give a host (http://...) or set `static let host` in the class")) {
            try await controller.start(StartRequest(users: 1, spawnRate: 1))
        }
    }

    @Test func chosenClassesOnlyAndTheirHost() async throws {
        let (controller, spawner, _, _) = await make(host: nil)
        try await controller.start(StartRequest(users: 3, spawnRate: 1, userClasses: ["Api"]))
        await spawner.waitForSpawns(1)
        #expect(spawner.spawns[0].target == [0, 3])
        #expect(controller.status().userClasses == ["Api"])
        try await controller.start(StartRequest(users: 3, spawnRate: 1, host: "http://127.0.0.1:1", userClasses: ["Web"]))
        await spawner.waitForSpawns(2)
        #expect(spawner.hosts.last == "http://127.0.0.1:1")
        #expect(controller.status().host == "http://127.0.0.1:1")
    }

    @Test func startWhileStoppingIsRefused() async throws {
        let (controller, spawner, _, events) = await make()
        spawner.holdStops()
        try await controller.start(StartRequest(users: 1, spawnRate: 1))
        await spawner.waitForSpawns(1)
        let stopping = Task { await controller.stop(reason: .requested) }
        await events.wait(for: .state(.stopping))
        await #expect(throws: StartRefusal("The test is stopping: wait until it has stopped, then start a new one")) {
            try await controller.start(StartRequest(users: 1, spawnRate: 1))
        }
        // A second stop waits for the first.
        let second = Task { await controller.stop(reason: .requested) }
        spawner.releaseStops()
        await stopping.value
        await second.value
        #expect(controller.status().state == .stopped)
        #expect(spawner.stops.count == 1)
    }
}

extension LocalRunControllerTests {
    @Test func anEditWithoutClassesKeepsTheTestsClasses() async throws {
        let (controller, spawner, _, _) = await make()
        try await controller.start(StartRequest(users: 2, spawnRate: 1, userClasses: ["Api"]))
        try await controller.start(StartRequest(users: 4, spawnRate: 1))
        await spawner.waitForSpawns(2)
        #expect(spawner.spawns[1].target == [0, 4])
        #expect(controller.status().userClasses == ["Api"])
    }
}
