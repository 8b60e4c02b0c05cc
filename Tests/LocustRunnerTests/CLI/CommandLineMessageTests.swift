import Testing
@testable import LocustRunner

/// What a user who types a bad number is told (issue 11, item 15): the value's problem, not
/// "Missing value", and exit code 2.
struct CommandLineMessageTests {
    /// The one line `locust: error: ...` would carry for `arguments`, or nil when they are good.
    static func message(_ arguments: [String]) -> String? {
        let options: RunOptions
        do {
            options = try LocustCommand.parseOptions(arguments)
        } catch {
            return LocustCommand.message(for: error)
        }
        do {
            _ = try RunSettings(options: options)
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test(arguments: [
        (["-f", "a.so", "-u", "-5"], "-u/--users must be 0 or more, got -5"),
        (["-f", "a.so", "--users", "-5"], "-u/--users must be 0 or more, got -5"),
        (["-f", "a.so", "-c", "-5"], "-u/--users must be 0 or more, got -5"),
        (["-f", "a.so", "-u=-5"], "-u/--users must be 0 or more, got -5"),
        (["-f", "a.so", "-r", "-1"], "-r/--spawn-rate must be more than 0, got -1.0"),
        (["-f", "a.so", "--spawn-rate", "-0.5"], "-r/--spawn-rate must be more than 0, got -0.5"),
        (["-f", "a.so", "-r", "0"], "-r/--spawn-rate must be more than 0, got 0.0"),
        (["-f", "a.so", "-t", "0s"], "-t/--run-time must be more than 0, got '0s'"),
        (["-f", "a.so", "-t", "0"], "-t/--run-time must be more than 0, got '0'"),
        (["-f", "a.so", "-t", "-5s"], "-t/--run-time must be more than 0, got '-5s'"),
        (["-f", "a.so", "-t", "5x"], "invalid -t/--run-time '5x': use a time span like 30s, 5m, 1h30m"),
        (["-f", "a.so", "--stop-timeout", "-1"], "-s/--stop-timeout must be 0 or more, got '-1'"),
        (["-f", "a.so", "-s", "-1"], "-s/--stop-timeout must be 0 or more, got '-1'"),
        (["-f", "a.so", "-s", "-2s"], "-s/--stop-timeout must be 0 or more, got '-2s'"),
        (["-f", "a.so", "-s", "soon"], "invalid -s/--stop-timeout 'soon': use seconds or a time span like 10s"),
        (["-f", "a.so", "--json-file", "/no/such/dir/out"], "--json-file '/no/such/dir/out': no directory '/no/such/dir'"),
    ])
    func saysWhatIsWrongWithTheValue(arguments: [String], expected: String) {
        #expect(Self.message(arguments) == expected)
    }

    @Test func goodValuesStillParse() throws {
        let settings = try RunSettings(options: try LocustCommand.parseOptions(["-f", "a.so", "-u", "0", "-t", "1s", "-s", "5"]))
        #expect(settings.users == 0 && settings.runTime == 1 && settings.stopTimeout == 5)
        #expect(try RunSettings(options: try LocustCommand.parseOptions(["-f", "a.so", "-s", "0"])).stopTimeout == 0)
    }

    @Test func aNegativeNumberIsJoinedOnlyToAnOptionThatTakesAValue() {
        #expect(NegativeOptionValues.joined(["-u", "-5", "-r", "-1.5", "-t", "-.5"]) == ["-u=-5", "-r=-1.5", "-t=-.5"])
        #expect(NegativeOptionValues.joined(["--stop-timeout", "-1", "--users", "-2"]) == ["--stop-timeout=-1", "--users=-2"])
        // A flag keeps its neighbour; so do non-numbers, options at the end, and anything after `--`.
        #expect(NegativeOptionValues.joined(["--headless", "-5"]) == ["--headless", "-5"])
        #expect(NegativeOptionValues.joined(["-u", "-l"]) == ["-u", "-l"])
        #expect(NegativeOptionValues.joined(["-u", "-"]) == ["-u", "-"])
        #expect(NegativeOptionValues.joined(["-f", "a.so", "-u"]) == ["-f", "a.so", "-u"])
        #expect(NegativeOptionValues.joined(["--", "-u", "-5"]) == ["--", "-u", "-5"])
    }

    @Test func aFlagBeforeANegativeNumberIsStillAnError() {
        #expect(Self.message(["-f", "a.so", "--headless", "-5"]) != nil)
    }

    @Test(arguments: [
        ["-f", "a.so", "-u", "-5"],
        ["-f", "a.so", "-r", "-1"],
        ["-f", "a.so", "--stop-timeout", "-1"],
        ["-f", "a.so", "-t", "0s"],
        ["-f", "a.so", "--bogus"],
    ])
    func badInputExitsWithCode2(arguments: [String]) async {
        #expect(await LocustMain.main(arguments) == LocustMain.usageExitCode)
    }

    @Test func helpExitsWithCode0() async {
        #expect(await LocustMain.main(["--help"]) == 0)
    }
}
