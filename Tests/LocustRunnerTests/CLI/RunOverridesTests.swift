import Foundation
@_spi(Runner) import LocustAPI
import LocustStats
import Synchronization
import Testing
@testable import LocustRunner

/// `--equal-weights`, `--show-task-ratio(-json)`, `--insecure`, `--http1`, `--json`, `--json-file`.
struct RunOverridesTests {
    static let classes = [UserClass(LightUser.self), UserClass(HeavyUser.self), UserClass(DisabledUser.self)]

    static func settings(_ extra: [String]) throws -> RunSettings {
        try RunSettings(options: try LocustCommand.parseOptions(["-f", "a.so"] + extra))
    }

    @Test func equalWeightsGiveEveryTaskWeightOneButKeepWeightZeroOut() throws {
        #expect(try Self.settings([]).taskWeight(3) == 3)
        let equal = try Self.settings(["--equal-weights"])
        #expect(equal.equalWeights)
        #expect([3, 1, 0].map(equal.taskWeight) == [1, 1, 0])
        // The task ratio shows it; class weights are the plugin's.
        let light = try #require(TaskRatioOutput.classes(Self.classes, settings: equal, users: nil).first)
        #expect(light.weight == 1)
        #expect(light.tasks.map(\.weight) == [1, 1])
    }

    @Test func taskRatioUsesClassWeightsAndLeavesWeightZeroOut() throws {
        let settings = try Self.settings([])
        let expected = [
            TaskRatioClass(name: "LightUser", weight: 1, tasks: [.init(name: "read", weight: 3), .init(name: "write", weight: 1)]),
            TaskRatioClass(name: "HeavyUser", weight: 3, tasks: [.init(name: "browse", weight: 1)]),
        ]
        #expect(TaskRatioOutput.classes(Self.classes, settings: settings, users: nil) == expected)
        #expect(TaskRatioOutput.text(Self.classes, settings: settings, users: nil) == TaskRatioJSON.text(classes: expected))
        #expect(
            TaskRatioOutput.json(Self.classes, settings: settings, users: nil)
                == TaskRatioJSON.body(classes: expected).serialized(pretty: true) + "\n")
        let text = TaskRatioOutput.text(Self.classes, settings: settings, users: nil)
        #expect(text.contains(" 25.0       LightUser"))
        #expect(text.contains("   18.8       read"))  // 3/4 of 25 % in the total view
        #expect(!text.contains("DisabledUser"))
    }

    @Test func taskRatioWithUsersRoundsTheUserCountsAsLocust() throws {
        let settings = try Self.settings([])
        // round(1/4 * 2) = round(0.5) = 0 (Python rounds halves to even), round(3/4 * 2) = 2.
        #expect(TaskRatioOutput.classes(Self.classes, settings: settings, users: 2).map(\.weight) == [0, 2])
        #expect(TaskRatioOutput.classes(Self.classes, settings: settings, users: 8).map(\.weight) == [2, 6])
        // -u 0 is "not given", as Locust's `num_users or total_weight`.
        #expect(TaskRatioOutput.classes(Self.classes, settings: settings, users: 0).map(\.weight) == [1, 3])
        let equal = try Self.settings(["--equal-weights"])
        #expect(TaskRatioOutput.classes(Self.classes, settings: equal, users: nil).map(\.weight) == [1, 3])
    }

    @Test func httpOverrideChangesOnlyWhatTheCommandLineAsks() throws {
        let strict = StrictTLSUser.httpOptions
        #expect(try Self.settings([]).httpOverride.isEmpty)
        #expect(try Self.settings([]).httpOverride.applied(to: strict) == strict)
        let insecure = try Self.settings(["--insecure"]).httpOverride.applied(to: strict)
        #expect(insecure == HTTPClientOptions(verifyTLS: false, http2: true, followRedirects: false, timeout: .seconds(7)))
        let http1 = try Self.settings(["--http1"]).httpOverride.applied(to: strict)
        #expect(http1 == HTTPClientOptions(verifyTLS: true, http2: false, followRedirects: false, timeout: .seconds(7)))
        let both = try Self.settings(["--insecure", "--http1"]).httpOverride
        #expect(both == HTTPOptionsOverride(skipTLSVerification: true, http1Only: true))
        // An override never turns a class's own relaxation back on.
        let relaxed = HTTPClientOptions(verifyTLS: false, http2: false)
        #expect(HTTPOptionsOverride().applied(to: relaxed) == relaxed)
    }

    @Test func spawnerGivesEachUserTheOverriddenOptions() async throws {
        StrictTLSUser.seen.withLock { $0.removeAll() }
        let logger = try RunLogger(level: .error, logfile: nil)
        let spawner = UserSpawner(
            classes: [UserClass(StrictTLSUser.self)], host: "https://127.0.0.1:1", engine: HTTPEngine(threadCount: 1),
            recorder: StatsRecorder(stats: RequestStats()), logger: logger,
            httpOverride: HTTPOptionsOverride(skipTLSVerification: true, http1Only: true))
        await spawner.spawn(target: [2], rate: 1000)
        let deadline = ContinuousClock.now + .seconds(10)
        while StrictTLSUser.seen.withLock({ $0.count }) < 2, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(5))
        }
        await spawner.stopAll(timeout: 0, grace: 5)
        let seen = StrictTLSUser.seen.withLock { $0 }
        #expect(seen.count == 2)
        for options in seen {
            #expect(!options.verifyTLS && !options.http2)
            #expect(!options.followRedirects && options.timeout == .seconds(7))
        }
    }

    @Test func jsonOptionsBecomeSettings() throws {
        #expect(try Self.settings([]).jsonStdout == false)
        #expect(try Self.settings([]).jsonFile == nil)
        #expect(try Self.settings(["--json"]).jsonStdout)
        let directory = FileManager.default.temporaryDirectory.path
        #expect(try Self.settings(["--json-file", "\(directory)/stats"]).jsonFile == "\(directory)/stats.json")
        #expect(try Self.settings(["--json-file", "\(directory)/stats.json"]).jsonFile == "\(directory)/stats.json")
        #expect(try Self.settings(["--json-file", "stats"]).jsonFile == "stats.json")
        #expect(throws: RunnerError.self) { try Self.settings(["--json-file", "\(directory)/"]) }
    }
}

extension RunOverridesTests {
    /// Classes with unequal weights, for the weight and task-ratio options.
    final class LightUser: User {
        static let weight = 1
        static let tasks: [UserTask<LightUser>] = [UserTask("read", weight: 3) { _ in }, UserTask("write") { _ in }]
        let context: UserContext
        init(context: UserContext) { self.context = context }
    }

    final class HeavyUser: User {
        static let weight = 3
        static let tasks: [UserTask<HeavyUser>] = [UserTask("browse") { _ in }]
        let context: UserContext
        init(context: UserContext) { self.context = context }
    }

    final class DisabledUser: User {
        static let weight = 0
        static let tasks: [UserTask<DisabledUser>] = [UserTask("nothing") { _ in }]
        let context: UserContext
        init(context: UserContext) { self.context = context }
    }

    /// A class that asks for strict TLS and HTTP/2, and tells which options its user's client got.
    final class StrictTLSUser: User {
        static let httpOptions = HTTPClientOptions(verifyTLS: true, http2: true, followRedirects: false, timeout: .seconds(7))
        static let seen = Mutex<[HTTPClientOptions]>([])
        static let tasks: [UserTask<StrictTLSUser>] = []
        let context: UserContext
        init(context: UserContext) { self.context = context }

        @concurrent func onStart() async throws {
            let options = context.client.options
            Self.seen.withLock { $0.append(options) }
            throw StopUser()
        }
    }
}
