import Foundation
import Testing

extension Integration {
    /// A plugin's own command-line options (Locust's `init_command_line_parser`): `--help`, the command
    /// line, `locust.conf`, `LOCUST_*`, bad values, and a master passing them to its slaves.
    @Suite("Scenario options", .sharedNginx, .timeLimit(.minutes(2)))
    struct ScenarioOptionRun {
        let locust: Locust
        init() throws { locust = try Locust() }

        /// The `opt-...` names OptionsUser's users sent since `skipping`.
        static func said(_ nginx: NginxServer, skipping: Int) -> [String] {
            nginx.loggedEntries(skipping: skipping).compactMap { entry in
                entry.request.range(of: "?t=opt-").map { String(entry.request[$0.upperBound...].split(separator: " ")[0]) }
            }
        }

        @Test("--help lists the plugin's options; the command line, locust.conf and LOCUST_* set them")
        func helpAndSources() async throws {
            let nginx = try #require(NginxServer.current)
            let directory = try TempDirectory()
            defer { directory.remove() }
            let help = try await locust.run(["-f", locust.binaries.testPlugin, "--help"], in: directory, timeout: .seconds(20))
            #expect(help.exited(0), "\(help)")
            #expect(help.stdout.contains("SCENARIO OPTIONS (libTestTargets.so):"), "\(help.stdout)")
            #expect(help.stdout.contains("--tenant <value>") && help.stdout.contains("(one of: acme, globex) (default: acme)"), "\(help.stdout)")
            #expect(help.stdout.contains("--with-search"), "\(help.stdout)")

            var before = nginx.loggedRequests()
            let given = try await locust.run(
                ["-f", locust.binaries.testPlugin, "--host", nginx.url, "--headless", "-u", "2", "-r", "10", "-t", "1s",
                 "--only-summary", "--tenant", "globex", "--pages=3", "--with-search", "--api-key", "s3cret", "OptionsUser"],
                in: directory, timeout: .seconds(20))
            #expect(given.exited(0), "\(given)")
            _ = await nginx.settledLoggedRequests()
            #expect(Self.said(nginx, skipping: before) == ["globex-3-true-key", "globex-3-true-key"])

            try directory.write("locust.conf", "tenant = globex\nwith-search = false\n")
            before = nginx.loggedRequests()
            let configured = try await locust.run(
                ["-f", locust.binaries.testPlugin, "--host", nginx.url, "--headless", "-u", "1", "-t", "1s", "--only-summary", "OptionsUser"],
                in: directory, environment: ["LOCUST_PAGES": "4"], timeout: .seconds(20))
            #expect(configured.exited(0), "\(configured)")
            _ = await nginx.settledLoggedRequests()
            #expect(Self.said(nginx, skipping: before) == ["globex-4-false-nokey"])
        }

        @Test("A bad value is bad input: one line, exit 2", arguments: [
            (["--pages", "many"], "locust: error: --pages takes a whole number, got 'many'"),
            (["--tenant", "initech"], "locust: error: --tenant must be one of acme, globex, got 'initech'"),
            (["--pages"], "locust: error: --pages needs a value"),
        ])
        func badValues(extra: [String], line: String) async throws {
            let directory = try TempDirectory()
            defer { directory.remove() }
            let result = try await locust.run(
                ["-f", locust.binaries.testPlugin, "--headless", "--host", "http://127.0.0.1:9", "OptionsUser"] + extra,
                in: directory, timeout: .seconds(20))
            #expect(result.exited(2), "\(result)")
            #expect(result.stderrLines == [line], "\(result)")
        }

        @Test("A master's option values reach its slaves' users")
        func masterPassesThemOn() async throws {
            let nginx = try #require(NginxServer.current)
            let directory = try TempDirectory()
            defer { directory.remove() }
            let port = try Loopback.freePort()
            let before = nginx.loggedRequests()
            let master = try locust.start(
                ["-f", locust.binaries.testPlugin, "--master", "--headless", "-u", "4", "-r", "100", "-t", "2s", "--expect-slaves", "2",
                 "--master-bind-host", "127.0.0.1", "--master-bind-port", String(port), "--host", nginx.url, "--only-summary",
                 "--tenant", "globex", "--pages", "7", "OptionsUser"],
                in: directory)
            let slaves = try (0..<2).map { _ in
                try locust.start(["-f", locust.binaries.testPlugin, "--slave", "--master-port", String(port), "--pages", "2"], in: directory)
            }
            let result = await master.wait(timeout: .seconds(40))
            for slave in slaves { #expect(await slave.wait(timeout: .seconds(15)).exited(0)) }
            #expect(result.exited(0), "\(result)")
            _ = await nginx.settledLoggedRequests()
            #expect(Self.said(nginx, skipping: before) == Array(repeating: "globex-7-false-nokey", count: 4))
        }
    }
}
