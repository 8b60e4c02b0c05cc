@_spi(Runner) import LocustAPI
import LocustStats
import Testing
@testable import LocustRunner

/// The spawner's ramp: starting is paced, stopping is immediate (issue 12's first fault: a slave told
/// "0 users at 0.001 users/s" kept its users for minutes).
struct UserSpawnerTests {
    /// A user that only waits (a stop wakes it).
    final class IdleUser: User {
        static let waitTime = WaitTime.constant(30)
        static let tasks: [UserTask<IdleUser>] = [UserTask("idle") { _ in }]
        let context: UserContext
        init(context: UserContext) { self.context = context }
    }

    @Test(.timeLimit(.minutes(1)))
    func stoppingIsImmediateWhateverTheRate() async throws {
        let logger = try RunLogger(level: .error, logfile: nil)
        let spawner = UserSpawner(
            classes: [UserClass(IdleUser.self)], host: "http://127.0.0.1:1", engine: HTTPEngine(threadCount: 1),
            recorder: StatsRecorder(stats: RequestStats()), logger: logger)
        #expect(await spawner.spawn(target: [5], rate: 1000))
        #expect(await spawner.userCount == 5)
        let start = ContinuousClock.now
        // At 0.001 users/s a paced ramp-down would take more than an hour.
        #expect(await spawner.spawn(target: [1], rate: 0.001))
        #expect(await spawner.userCount == 1)
        #expect(await spawner.spawn(target: [0], rate: 0.001))
        #expect(await spawner.userCount == 0)
        #expect(ContinuousClock.now - start < .seconds(5))
        await spawner.stopAll(timeout: 0, grace: 5)
    }

    @Test(.timeLimit(.minutes(1)))
    func startingIsPaced() async throws {
        let logger = try RunLogger(level: .error, logfile: nil)
        let spawner = UserSpawner(
            classes: [UserClass(IdleUser.self)], host: "http://127.0.0.1:1", engine: HTTPEngine(threadCount: 1),
            recorder: StatsRecorder(stats: RequestStats()), logger: logger)
        let start = ContinuousClock.now
        #expect(await spawner.spawn(target: [3], rate: 10))
        // The first user at once, the others 0.1 s apart.
        #expect(ContinuousClock.now - start >= .milliseconds(190))
        #expect(await spawner.userCount == 3)
        await spawner.stopAll(timeout: 0, grace: 5)
    }
}
