import Testing
@testable import LocustRunner

/// The open model's schedule with the clock given by the test: no sleeps.
struct ArrivalSchedulerTests {
    static let second: UInt64 = 1_000_000_000
    static let start: UInt64 = 5 * second

    @Test func aConstantRatePutsIterationKAtKOverR() {
        let schedule = ArrivalSchedule(startRate: 200)
        #expect(schedule.time(ofIteration: 0) == 0)
        #expect(schedule.time(ofIteration: 1) == 0.005)
        #expect(schedule.time(ofIteration: 200) == 1)
        #expect(schedule.totalSeconds == nil)
    }

    @Test func dueIterationsKeepTheirIntendedStartsHoweverLateTheWakeUp() {
        var scheduler = ArrivalScheduler(schedule: ArrivalSchedule(startRate: 100), start: Self.start)
        #expect(scheduler.nextDeadline() == Self.start)
        #expect(scheduler.takeDue(now: Self.start) == [Self.start])
        #expect(scheduler.takeDue(now: Self.start + 5_000_000).isEmpty)
        // Woken 1 s late: the 100 iterations due by then, each at its own time, none lost.
        let due = scheduler.takeDue(now: Self.start + Self.second)
        #expect(due.count == 100)
        #expect(due.first == Self.start + 10_000_000 && due.last == Self.start + Self.second)
        #expect(zip(due, due.dropFirst()).allSatisfy { $1 - $0 == 10_000_000 })
        #expect(scheduler.nextDeadline() == Self.start + Self.second + 10_000_000)
    }

    @Test func noDriftOverALongRun() {
        var scheduler = ArrivalScheduler(schedule: ArrivalSchedule(startRate: 3), start: Self.start)
        var count = 0
        var now = Self.start
        // Wake-ups that each come 7 ms late, an hour long.
        while let deadline = scheduler.nextDeadline(), deadline < Self.start + 3600 * Self.second {
            now = deadline + 7_000_000
            count += scheduler.takeDue(now: now).count
        }
        #expect(count == 3 * 3600)
        let last = scheduler.nextDeadline()
        #expect(last == Self.start + 3600 * Self.second)
    }

    @Test func aRunOfDSecondsHoldsRTimesDIterations() {
        for rate in [1.0, 7.5, 200, 1000] {
            var scheduler = ArrivalScheduler(schedule: ArrivalSchedule(startRate: rate), start: Self.start)
            // Everything due before the end of a 10 s run (in rounds of at most 4,096).
            var count = 0
            while case let due = scheduler.takeDue(now: Self.start + 10 * Self.second - 1), !due.isEmpty {
                #expect(due.count <= ArrivalScheduler.maxPerRound)
                count += due.count
            }
            #expect(count == Int((rate * 10).rounded(.up)))
        }
    }

    @Test func aRampHoldsTheAreaUnderTheRateAndEndsWithTheLastStage() throws {
        let schedule = ArrivalSchedule(startRate: 0, stages: try ArrivalSchedule.parseStages("10s:100,5s:100,10s:0"))
        #expect(schedule.totalSeconds == 25)
        #expect(schedule.peakRate == 100)
        #expect(schedule.rate(at: 5) == 50 && schedule.rate(at: 12) == 100 && schedule.rate(at: 20) == 50)
        #expect(schedule.rate(at: 25) == nil)
        var scheduler = ArrivalScheduler(schedule: schedule, start: Self.start)
        let ramp = scheduler.takeDue(now: Self.start + 10 * Self.second)
        // 0 → 100/s over 10 s: 500 iterations (the one at 0 s included), ever closer together.
        #expect(ramp.count == 501)
        #expect(ramp[1] - ramp[0] > ramp[500] - ramp[499])
        let rest = scheduler.takeDue(now: Self.start + 60 * Self.second)
        #expect(rest.count == 500 + 500)
        #expect(scheduler.nextDeadline() == nil)
    }

    @Test func theStagesStartFromTheArrivalRate() throws {
        let schedule = ArrivalSchedule(startRate: 100, stages: try ArrivalSchedule.parseStages("10s:300"))
        #expect(schedule.rate(at: 0) == 100 && schedule.rate(at: 5) == 200)
        // The mean rate is 200/s: iteration 1,000 is due at 5 s... no, at t where 100t + 10t² = 1000.
        let time = try #require(schedule.time(ofIteration: 1000))
        #expect(abs(100 * time + 10 * time * time - 1000) < 1e-9)
    }

    @Test func aSlavesShareScalesEveryRate() {
        let schedule = ArrivalSchedule(startRate: 90, stages: [.init(seconds: 10, rate: 300)])
        let share = schedule.scaled(by: 1.0 / 3)
        #expect(share.startRate == 30 && share.stages == [.init(seconds: 10, rate: 100)])
    }

    @Test(arguments: ["30s", "30s:", "x:100", "0s:100", "10s:-1", "10s:fast", "10s:100,,", "10s:1e99"])
    func badStagesAreOneLine(text: String) {
        #expect(throws: StartRefusal.self) { try ArrivalSchedule.parseStages(text) }
        do {
            _ = try ArrivalSchedule.parseStages(text)
        } catch {
            #expect(error.message.hasPrefix("invalid --arrival-stages '\(text)'") && !error.message.contains("\n"))
        }
    }

    @Test func aZeroRateStageHoldsNoIteration() throws {
        let schedule = ArrivalSchedule(startRate: 0, stages: try ArrivalSchedule.parseStages("2s:0,2s:10"))
        var scheduler = ArrivalScheduler(schedule: schedule, start: Self.start)
        #expect(scheduler.takeDue(now: Self.start + 2 * Self.second - 1).isEmpty)
        #expect(scheduler.takeDue(now: Self.start + 4 * Self.second).count == 11)
    }
}
