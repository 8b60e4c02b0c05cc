@_spi(Runner) import LocustAPI
import LocustStats
import Synchronization
import Testing
@testable import LocustRunner

/// What one user did, in order (tests run one user at a time per class).
final class TaskTrace: Sendable {
    let entries = Mutex<[String]>([])
    func add(_ entry: String) { entries.withLock { $0.append(entry) } }
    var all: [String] { entries.withLock { $0 } }
    var count: Int { entries.withLock { $0.count } }
}

/// A user whose only task is a sequence: in order, a weight-2 task twice, then interrupted; the
/// second time round it stops the user.
final class SequenceUser: User {
    static let trace = TaskTrace()
    static let tasks: [UserTask<SequenceUser>] = [
        .sequence(
            "signup", onStart: { _ in trace.add("start") }, onStop: { _ in trace.add("stop") },
            tasks: [
                UserTask("a", weight: 2) { _ in trace.add("a") },
                UserTask("b") { _ in trace.add("b") },
                UserTask("c") { _ in
                    trace.add("c")
                    if trace.all.filter({ $0 == "c" }).count == 2 { throw StopUser() }
                    throw InterruptTaskSet()
                },
            ])
    ]
    let context: UserContext
    init(context: UserContext) { self.context = context }
    func onStop() async throws { Self.trace.add("user stop") }
}

/// A user whose set picks `often` three times as often as `rarely`, and a nested set below it.
final class NestedUser: User {
    static let trace = TaskTrace()
    static let tasks: [UserTask<NestedUser>] = [
        .set("outer", tags: ["outer"], tasks: [
            UserTask("often", weight: 3, tags: ["hot"]) { _ in try step("often") },
            UserTask("rarely") { _ in try step("rarely") },
            .set("inner", tags: ["inner"], tasks: [
                UserTask("deep") { _ in
                    try step("deep")
                    throw InterruptTaskSet()
                }
            ]),
        ]),
        UserTask("top", tags: ["top"]) { _ in try step("top") },
    ]
    static func step(_ name: String) throws {
        trace.add(name)
        if trace.count >= 5_000 { throw StopUser() }
    }
    let context: UserContext
    init(context: UserContext) { self.context = context }
}

/// A user with a failing task inside a set, to see where its exception is reported.
final class FailingSetUser: User {
    struct Broken: Error {}
    static let tasks: [UserTask<FailingSetUser>] = [
        .sequence("checkout", tasks: [UserTask("fail") { _ in throw Broken() }, UserTask("pay") { _ in throw StopUser() }])
    ]
    let context: UserContext
    init(context: UserContext) { self.context = context }
}

struct UserTaskSetTests {
    static func run(_ userClass: UserClass, recorder: any RequestRecorder = StatsRecorder(stats: RequestStats())) async {
        let engine = HTTPEngine(threadCount: 1)
        let thread = engine.thread(for: 0)
        let client = HTTPClient(baseURL: "http://127.0.0.1:1", options: HTTPClientOptions(), thread: thread, recorder: recorder)
        let context = UserContext(userID: 0, userClassName: userClass.name, host: "http://127.0.0.1:1", client: client, recorder: recorder)
        await Task(executorPreference: thread) { await userClass.run(context) }.value
    }

    @Test(.timeLimit(.minutes(1)))
    func aSequenceRunsInOrderUntilInterruptedAndItsHooksRunEachTime() async {
        await Self.run(UserClass(SequenceUser.self))
        #expect(SequenceUser.trace.all == [
            "start", "a", "a", "b", "c", "stop",
            "start", "a", "a", "b", "c", "stop", "user stop",
        ])
    }

    @Test(.timeLimit(.minutes(1)))
    func aSetPicksByWeightAndAnInterruptGoesBackToItsParent() async {
        await Self.run(UserClass(NestedUser.self))
        let trace = NestedUser.trace.all
        let often = trace.filter { $0 == "often" }.count
        let rarely = trace.filter { $0 == "rarely" }.count
        let deep = trace.filter { $0 == "deep" }.count
        // Once in "outer" the user never leaves it (nothing interrupts it), so "top" runs at most
        // until the first time "outer" is picked; "inner" is interrupted every time, back to "outer".
        #expect(trace.prefix(while: { $0 == "top" }).count == trace.filter { $0 == "top" }.count)
        // Weights 3:1:1 in "outer": about 3,000, 1,000 and 1,000 of 5,000.
        #expect(Double(often) / Double(rarely) > 2.6 && Double(often) / Double(rarely) < 3.4)
        #expect(Double(deep) / Double(rarely) > 0.8 && Double(deep) / Double(rarely) < 1.25)
    }

    @Test(.timeLimit(.minutes(1)))
    func anExceptionInASetNamesTheSetAndTheTask() async throws {
        let stats = RequestStats()
        await Self.run(UserClass(FailingSetUser.self), recorder: StatsRecorder(stats: stats))
        let exceptions = stats.snapshotAndReset().exceptions
        #expect(exceptions.map(\.location) == ["FailingSetUser.checkout.fail"])
    }

    @Test func theClassShowsTheStructureAndTheTagsOfItsSets() throws {
        let userClass = UserClass(NestedUser.self)
        let outer = try #require(userClass.tasks.first)
        #expect(outer.kind == .set && outer.name == "outer")
        #expect(outer.tasks.map(\.name) == ["often", "rarely", "inner"])
        // A set's tags are its tasks' too (Locust's @tag on a TaskSet).
        #expect(outer.tasks[0].tags == ["hot", "outer"])
        #expect(outer.tasks[2].tasks[0].tags == ["inner", "outer"])
        #expect(UserClass(SequenceUser.self).tasks.first?.kind == .sequence)
    }

    @Test func tagsKeepTheTasksThatHaveOneAndTheSetsLeftWithAny() throws {
        let userClass = UserClass(NestedUser.self)
        let hot = try #require(userClass.filtered(by: TagFilter(tags: ["hot"])))
        #expect(hot.tasks.map(\.name) == ["outer"])
        #expect(hot.tasks[0].tasks.map(\.name) == ["often"])

        let inner = try #require(userClass.filtered(by: TagFilter(tags: ["inner", "top"])))
        #expect(inner.tasks.map(\.name) == ["outer", "top"])
        #expect(inner.tasks[0].tasks.map(\.name) == ["inner"])

        let notOuter = try #require(userClass.filtered(by: TagFilter(excludeTags: ["outer"])))
        #expect(notOuter.tasks.map(\.name) == ["top"])

        // Both: the tags select, then the excluded ones go.
        let both = try #require(userClass.filtered(by: TagFilter(tags: ["outer"], excludeTags: ["hot", "inner"])))
        #expect(both.tasks[0].tasks.map(\.name) == ["rarely"])

        // No task left: the class is not spawned. Empty tag lists filter nothing, as Locust's.
        #expect(userClass.filtered(by: TagFilter(tags: ["nothing"])) == nil)
        #expect(userClass.filtered(by: TagFilter(tags: [], excludeTags: []))?.tasks.count == 2)
    }

    @Test func taskRatiosNestASetsTasksAsLocustDoes() {
        let classes = [TaskRatioClass(name: "U", weight: 1, tasks: [
            .init(name: "t", weight: 1),
            .init(name: "S", weight: 1, tasks: [.init(name: "a", weight: 3), .init(name: "b", weight: 1)]),
        ])]
        let perClass = TaskRatioJSON.computed(classes, total: false)[0].tasks ?? []
        #expect(perClass.map(\.ratio) == [0.5, 0.5])
        #expect(perClass[1].tasks?.map(\.ratio) == [0.75, 0.25])
        let total = TaskRatioJSON.computed(classes, total: true)[0].tasks ?? []
        #expect(total[1].tasks?.map(\.ratio) == [0.375, 0.125])
        #expect(TaskRatioJSON.lines(classes: classes, total: true)[3].hasPrefix("     37.5"))
    }
}
