import Foundation
@_spi(Runner) import LocustAPI
import Testing
@testable import LocustRunner

struct ConfigSourcesTests {
    @Test func readsConfigFileLines() throws {
        let text = """
            # a comment
            [locust]
            locustfile = lib.so
            users = 10
            spawn_rate: 2
            headless = true
            only-summary = false
            """
        let arguments = try ConfigSources.parse(configFile: text, name: "locust.conf")
        #expect(arguments == ["--locustfile", "lib.so", "--users", "10", "--spawn-rate", "2", "--headless"])
    }

    @Test func tagListsBecomeOneOptionEachThatNoArgumentAfterThemJoins() throws {
        let arguments = try ConfigSources.parse(configFile: "tags = checkout, login\nexclude_tags = slow", name: "locust.conf")
        #expect(arguments == ["--tags=checkout", "--tags=login", "--exclude-tags=slow"])
        let options = try LocustCommand.parseOptions(arguments + ["-f", "lib.so", "-T", "extra", "-E", "flaky", "old", "--headless", "ShopUser"])
        #expect(options.tags == ["checkout", "login", "extra"])
        #expect(options.excludeTags == ["slow", "flaky", "old"])
        #expect(options.userClasses == ["ShopUser"])
        let settings = try RunSettings(options: options)
        #expect(settings.tagFilter == TagFilter(tags: ["checkout", "login", "extra"], excludeTags: ["slow", "flaky", "old"]))
    }

    @Test func rejectsUnknownKeysAndBadFlags() {
        #expect(throws: RunnerError.self) { try ConfigSources.parse(configFile: "colour = red", name: "x") }
        #expect(throws: RunnerError.self) { try ConfigSources.parse(configFile: "headless = maybe", name: "x") }
        #expect(throws: RunnerError.self) { try ConfigSources.parse(configFile: "just words", name: "x") }
    }

    @Test func readsLocustEnvironmentVariables() throws {
        let arguments = try ConfigSources.parse(environment: [
            "LOCUST_USERS": "5", "LOCUST_RUN_TIME": "2s", "LOCUST_HEADLESS": "true", "HOME": "/root",
            "LOCUST_ENGINE_THREADS": "2",
        ])
        #expect(arguments == ["--headless", "--run-time", "2s", "--users", "5"])
    }

    @Test func commandLineWinsOverEnvironmentAndFiles() throws {
        let options = try RunOptions.parse(["--users", "3", "--headless", "-u", "7", "--headless"])
        #expect(options.users == 7)
        #expect(options.headless)
    }

    @Test func oldAndNewOptionNamesAreAliases() throws {
        let old = try RunOptions.parse(["-f", "x.so", "-c", "4", "--hatch-rate", "2", "--no-web"])
        let new = try RunOptions.parse(["--locustfile", "x.so", "--users", "4", "--spawn-rate", "2", "--headless"])
        #expect(old.users == new.users && old.spawnRate == new.spawnRate && old.headless == new.headless)
        #expect(old.locustfile == "x.so")
    }
}
