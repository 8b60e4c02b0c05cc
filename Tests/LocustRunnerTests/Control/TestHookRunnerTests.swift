@_spi(Runner) import LocustAPI
import LocustStats
import Synchronization
import Testing
@testable import LocustRunner

/// test_start and test_stop on the standalone controller: once per test, before the first spawn and
/// after the stop; a start hook that throws stops the test and counts as an exception (exit code 1).
struct TestHookRunnerTests {
    struct SeedFailed: Error, CustomStringConvertible {
        var description: String { "no fixtures" }
    }

    final class Calls: Sendable {
        let log = Mutex<[String]>([])
        func add(_ entry: String) { log.withLock { $0.append(entry) } }
        var all: [String] { log.withLock { $0 } }
    }

    func make(failStart: Bool) async -> (LocalRunController, FakeSpawner, EventLog, Calls) {
        let calls = Calls()
        let spawner = FakeSpawner(names: ["Web"])
        let stats = RequestStats()
        let controller = LocalRunController(
            classes: [.init(name: "Web", weight: 1, host: nil)], spawner: spawner, stats: stats, host: "http://127.0.0.1:8080",
            stopTimeout: 0, resetStatsWhenSpawned: false, scheduler: ManualScheduler(), logger: quietLogger())
        let hooks = TestHooks(
            onTestStart: { environment in
                calls.add("start \(environment.role) \(environment.host ?? "-")")
                if failStart { throw SeedFailed() }
            },
            onTestStop: { environment in calls.add("stop \(environment.role)") })
        await controller.useHooks(TestHookRunner(hooks: hooks, role: .standalone, stats: stats, logger: quietLogger()))
        await controller.attach()
        return (controller, spawner, EventLog(controller.events), calls)
    }

    @Test func hooksRunOncePerTestAroundItsUsers() async throws {
        let (controller, spawner, _, calls) = await make(failStart: false)
        try await controller.start(StartRequest(users: 2, spawnRate: 10))
        #expect(calls.all == ["start standalone http://127.0.0.1:8080"])
        await spawner.waitForSpawns(1)
        // An edit is the same test: no second test_start.
        try await controller.start(StartRequest(users: 3, spawnRate: 10))
        await spawner.waitForSpawns(2)
        await controller.stop(reason: .requested)
        #expect(calls.all == ["start standalone http://127.0.0.1:8080", "stop standalone"])
        try await controller.start(StartRequest(users: 1, spawnRate: 10))
        #expect(calls.all.filter { $0.hasPrefix("start") }.count == 2)
    }

    @Test func aStartHookThatThrowsStopsTheTestBeforeAnyUser() async throws {
        let (controller, spawner, events, _) = await make(failStart: true)
        try await controller.start(StartRequest(users: 2, spawnRate: 10))
        await events.wait(for: .testStopped(.hookFailed("SeedFailed(no fixtures)")))
        #expect(controller.status().state == .stopped)
        #expect(spawner.spawns.isEmpty)
        let exceptions = controller.stats.snapshot().exceptions
        #expect(exceptions.map(\.location) == ["test_start"])
        #expect(exceptions.first?.message == "SeedFailed(no fixtures)")
    }
}
