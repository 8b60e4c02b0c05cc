@_spi(Runner) import LocustAPI
import LocustStats
import Testing
@testable import LocustRunner

/// A user for the open model: a top-level task and a set whose `onStart` must not run in an iteration.
final class IterationTestUser: User {
    static let trace = TaskTrace()
    static let tasks: [UserTask<IterationTestUser>] = [
        UserTask("top") { _ in trace.add("top") },
        .set("outer", onStart: { _ in trace.add("set start") }, tasks: [
            UserTask("often", weight: 3) { _ in trace.add("often") },
            UserTask("rarely") { _ in
                trace.add("rarely")
                throw StopUser()
            },
        ]),
    ]
    let context: UserContext
    init(context: UserContext) { self.context = context }
    func onStart() async throws { Self.trace.add("user start") }
    func onStop() async throws { Self.trace.add("user stop") }
}

/// One open-model instance and one iteration at a time, and the recorder's two times.
struct OpenModelIterationTests {
    @Test(.timeLimit(.minutes(1)))
    func anIterationRunsTheLeafTaskAtItsPickAndNotTheSetsHooks() async throws {
        let engine = HTTPEngine(threadCount: 1)
        let thread = engine.thread(for: 0)
        let recorder = StatsRecorder(stats: RequestStats())
        let client = HTTPClient(baseURL: "http://127.0.0.1:1", options: HTTPClientOptions(), thread: thread, recorder: recorder)
        let context = UserContext(userID: 0, userClassName: "IterationTestUser", host: "http://127.0.0.1:1", client: client, recorder: recorder)
        let userClass = UserClass(IterationTestUser.self)
        // Leaves: top 1/2, outer.often 3/8, outer.rarely 1/8.
        let outcomes = await Task(executorPreference: thread) { () -> [IterationUser.Outcome] in
            guard let user = await userClass.makeIterationUser(context) else { return [] }
            var outcomes: [IterationUser.Outcome] = []
            for pick in [0.1, 0.49, 0.5, 0.87, 0.9] { outcomes.append(await user.runIteration(pick: pick)) }
            await user.stop()
            return outcomes
        }.value
        #expect(outcomes == [.done, .done, .done, .done, .stopUser])
        #expect(IterationTestUser.trace.all == ["user start", "top", "top", "often", "often", "rarely", "user stop"])
    }

    @Test func theLatenessGoesToTheIterationsFirstRequestOnly() throws {
        let stats = RequestStats()
        stats.enableOpenModel()
        let recorder = IterationRecorder(stats: stats, exceptions: StatsRecorder(stats: stats))
        // Started 250 ms after its intended start; two requests of 10 ms and 20 ms.
        recorder.setLateness(nanoseconds: 250_000_000)
        recorder.recordRequest(method: "GET", name: "/a", responseTime: 10, contentLength: 0, error: nil)
        recorder.recordRequest(method: "GET", name: "/b", responseTime: 20, contentLength: 0, error: nil)
        let snapshot = stats.snapshot()
        let open = try #require(snapshot.openModel)
        #expect(snapshot.entry(method: "GET", name: "/a")?.maxResponseTime == 260)
        #expect(snapshot.entry(method: "GET", name: "/b")?.maxResponseTime == 20)
        #expect(open.serviceEntry(method: "GET", name: "/a")?.maxResponseTime == 10)
        #expect(open.serviceEntry(method: "GET", name: "/b")?.maxResponseTime == 20)
        recorder.recordException(message: "boom", location: "X.y")
        #expect(stats.snapshot().exceptions.map(\.location) == ["X.y"])
    }
}
