import Testing
@testable import LocustRunner

/// `--stages`: parsing and the user count second by second.
struct LoadStagesTests {
    @Test func rampsHoldsAndRampsDown() throws {
        let stages = try LoadStages.parse("10s:100,1m:100,10s:0")
        #expect(stages.stages.map(\.users) == [100, 100, 0])
        #expect(stages.totalSeconds == 80)
        #expect(stages.users(at: 0) == 0)
        #expect(stages.users(at: 5) == 50)
        #expect(stages.users(at: 10) == 100)
        #expect(stages.users(at: 40) == 100)
        #expect(stages.users(at: 75) == 50)
        #expect(stages.users(at: 79.9) == 1)
        #expect(stages.users(at: 80) == nil)
    }

    @Test func aStepIsAStageThatHolds() throws {
        let stages = try LoadStages.parse("1s:10, 30s:10")
        #expect(stages.users(at: 0.5) == 5)
        #expect(stages.users(at: 20) == 10)
    }

    @Test(arguments: [
        ("10s", "each stage is SPAN:USERS"), ("0s:10", "not a time span above 0"), ("10s:-1", "not a user count"),
        ("10s:abc", "not a user count"), ("10s:10,", "each stage is SPAN:USERS"), ("1x:3", "not a time span"),
    ])
    func refuses(text: String, reason: String) {
        do {
            _ = try LoadStages.parse(text)
            Issue.record("'\(text)' was accepted")
        } catch {
            #expect(error.message.hasPrefix("invalid --stages '\(text)'"), "\(error.message)")
            #expect(error.message.contains(reason), "\(error.message)")
        }
    }
}
