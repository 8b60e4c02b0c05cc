import Testing
@testable import LocustRunner

/// `--arrival-rate`, `--arrival-stages` and `--max-concurrency` on the command line: one line per mistake.
struct OpenModelSettingsTests {
    func settings(_ arguments: [String]) throws -> RunSettings {
        try RunSettings(options: try RunOptions.parse(["-f", "a.so", "--headless"] + arguments))
    }

    @Test func aRateWithABound() throws {
        let run = try settings(["--arrival-rate", "250", "--max-concurrency", "20", "-t", "10s"])
        #expect(run.arrival == ArrivalPlan(schedule: ArrivalSchedule(startRate: 250), maxConcurrency: 20))
        #expect(run.runTime == 10)
    }

    @Test func stagesFromARateAndTheDefaultBound() throws {
        let run = try settings(["--arrival-rate", "10", "--arrival-stages", "30s:100,2m:500"])
        let plan = try #require(run.arrival)
        #expect(plan.schedule == ArrivalSchedule(startRate: 10, stages: [.init(seconds: 30, rate: 100), .init(seconds: 120, rate: 500)]))
        #expect(plan.maxConcurrency == ArrivalPlan.defaultMaxConcurrency)
        #expect(try settings(["-u", "3"]).arrival == nil)
    }

    @Test(arguments: [
        (["--arrival-rate", "0"], "--arrival-rate must be more than 0"),
        (["--arrival-rate=-5"], "--arrival-rate must be more than 0"),
        (["--arrival-rate", "10", "--max-concurrency", "0"], "--max-concurrency must be 1 or more"),
        (["--max-concurrency", "5"], "--max-concurrency 5 bounds the open model's iterations"),
        (["--arrival-rate", "10", "-u", "5"], "--arrival-rate replaces -u/--users"),
        (["--arrival-rate", "10", "-r", "5"], "--arrival-rate replaces -r/--spawn-rate"),
        (["--arrival-rate", "10", "--stages", "10s:5"], "--arrival-rate replaces --stages"),
        (["--arrival-stages", "10s:5", "-t", "1m"], "--arrival-stages ends the test with its last stage"),
        (["--arrival-stages", "10s"], "invalid --arrival-stages '10s'"),
    ])
    func mistakesAreOneLine(arguments: [String], message: String) {
        do {
            _ = try settings(arguments)
            Issue.record("\(arguments) was accepted")
        } catch {
            let text = "\(error)"
            #expect(text.contains(message), "\(text)")
            #expect(!text.contains("\n"))
        }
    }

    @Test func theOpenModelIsHeadlessOrAutostartedAndTheMasters() throws {
        #expect(throws: RunnerError.self) { try RunSettings(options: try RunOptions.parse(["-f", "a.so", "--arrival-rate", "5"])) }
        #expect(try RunSettings(options: try RunOptions.parse(["-f", "a.so", "--autostart", "--arrival-rate", "5"])).arrival != nil)
        #expect(throws: RunnerError.self) {
            try RunSettings(options: try RunOptions.parse(["-f", "a.so", "--slave", "--arrival-rate", "5"]))
        }
    }

    static let idle = RunStatus(
        state: .ready, userCount: 0, targetUsers: 0, spawnRate: 0, host: nil, userClasses: ["A", "B", "C"], testIndex: 0, workers: [])

    @Test func aStartPlanForTheOpenModelPicksClassesByWeight() throws {
        let classes = [
            LocalRunController.ClassInfo(name: "A", weight: 3, host: "http://a"),
            LocalRunController.ClassInfo(name: "B", weight: 0, host: "http://b", fixedCount: 2),
            LocalRunController.ClassInfo(name: "C", weight: 1, host: "http://c"),
        ]
        let arrival = ArrivalPlan(schedule: ArrivalSchedule(startRate: 10), maxConcurrency: 4)
        let plan = try StartPlan.make(
            StartRequest(users: 0, spawnRate: 1, arrival: arrival), classes: classes, current: Self.idle)
        #expect(plan.weights == [3, 0, 1] && plan.users == 0)
        #expect(throws: StartRefusal.self) {
            try StartPlan.make(
                StartRequest(users: 0, spawnRate: 1, userClasses: ["B"], arrival: arrival), classes: classes,
                current: Self.idle)
        }
    }
}
