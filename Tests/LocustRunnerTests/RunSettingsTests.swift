import Testing
@testable import LocustRunner

struct RunSettingsTests {
    func settings(_ arguments: [String]) throws -> RunSettings {
        try RunSettings(options: try RunOptions.parse(arguments))
    }

    @Test func acceptsAGoodCommandLine() throws {
        let run = try settings(["-f", "a.so", "--host", "http://127.0.0.1:8080", "-u", "10", "-r", "2.5", "-t", "1m", "--headless"])
        #expect(run.users == 10 && run.spawnRate == 2.5 && run.runTime == 60 && run.headless)
        #expect(run.host == "http://127.0.0.1:8080")
    }

    @Test(arguments: [
        ["-f", "a.so", "-t", "5x"],
        ["-f", "a.so", "--host", "notaurl"],
        ["-f", "a.so", "--host", "ftp://example"],
        ["-f", "a.so", "--host", "http://"],
        ["-f", "a.so", "--host", "http://127.0.0.1:99999"],
        ["-f", "a.so", "-r", "0"],
        ["-f", "a.so", "--stop-timeout", "soon"],
        ["-f", "a.so", "--loglevel", "LOUD"],
        ["--host", "http://127.0.0.1"],
    ])
    func refusesBadInput(arguments: [String]) {
        #expect(throws: RunnerError.self) { try settings(arguments) }
    }
}
