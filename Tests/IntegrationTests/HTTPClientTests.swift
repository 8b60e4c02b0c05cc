import Foundation
import Testing

extension Integration {
    /// The HTTP client's methods, bodies and pooled handles, checked against what the server saw.
    @Suite("HTTP client against the demo target", .sharedDemoTarget, .timeLimit(.minutes(2)))
    struct HTTPClientMethods {
        let locust: Locust
        init() throws { locust = try Locust() }

        struct ServerStats: Decodable {
            let endpoints: [String: Int]
        }

        func serverEndpoints(_ demo: DemoTargetServer) throws -> [String: Int] {
            let body = try Loopback.get(port: demo.port, path: "/stats")
            return try JSONDecoder().decode(ServerStats.self, from: Data(body.utf8)).endpoints
        }

        @Test("Each method reaches the server as itself, in any order on pooled handles (HEAD then POST included)")
        func methodsReachTheServer() async throws {
            let demo = try #require(DemoTargetServer.current)
            let directory = try TempDirectory()
            defer { directory.remove() }
            let before = try serverEndpoints(demo)
            let prefix = directory.file("methods")
            let result = try await locust.run(
                locust.headlessArguments(
                    userClass: "MethodsUser", host: demo.url, users: 2, runTime: "2s", csvPrefix: prefix,
                    extra: ["--stop-timeout", "5"]),
                in: directory, timeout: .seconds(30))
            #expect(result.exited(0), "\(result)")
            let after = try serverEndpoints(demo)
            let stats = try CSVTable.read(prefix + "_stats.csv")
            func reported(_ method: String) -> Int {
                stats.rows.filter { $0["Type"] == method }.compactMap { $0.int("Request Count") }.reduce(0, +)
            }
            for method in ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"] {
                let key = "\(method) /status/{code}"
                let served = (after[key] ?? 0) - (before[key] ?? 0)
                #expect(served == reported(method), "\(method): server saw \(served), locust reported \(reported(method))")
                #expect(served > 0, "\(method) never reached the server")
            }
            #expect(stats.row(name: "Aggregated")?.int("Failure Count") == 0, "\(result)")
        }

        @Test("Large and small bodies alternate on the same users, every byte checked (the receive buffer grows and shrinks)")
        func largeAndSmallBodies() async throws {
            let demo = try #require(DemoTargetServer.current)
            let directory = try TempDirectory()
            defer { directory.remove() }
            let prefix = directory.file("bodies")
            let result = try await locust.run(
                locust.headlessArguments(
                    userClass: "BodyUser", host: demo.url, users: 3, runTime: "2s", csvPrefix: prefix,
                    extra: ["--stop-timeout", "5"]),
                in: directory, timeout: .seconds(30))
            #expect(result.exited(0), "\(result)")
            let stats = try CSVTable.read(prefix + "_stats.csv")
            for size in [200_000, 100] {
                let row = try #require(stats.row(name: "/bytes \(size)", type: "GET"), "\(stats.rows)")
                #expect((row.int("Request Count") ?? 0) > 20, "\(row)")
                #expect(row.double("Average Content Size") == Double(size), "\(row)")
            }
            let failures = try CSVTable.read(prefix + "_failures.csv").rows
            #expect(stats.row(name: "Aggregated")?.int("Failure Count") == 0, "\(failures)")
        }

        @Test("Redirects: followed to the final 200, every request starting again at /redirect; not followed when off")
        func redirects() async throws {
            let demo = try #require(DemoTargetServer.current)
            let directory = try TempDirectory()
            defer { directory.remove() }
            let before = try serverEndpoints(demo)["GET /redirect"] ?? 0
            let prefix = directory.file("redirects")
            let result = try await locust.run(
                locust.headlessArguments(
                    userClass: "RedirectUser", host: demo.url, users: 2, runTime: "2s", csvPrefix: prefix,
                    extra: ["--stop-timeout", "5"]) + ["NoFollowUser"],
                in: directory, timeout: .seconds(30))
            #expect(result.exited(0), "\(result)")
            let served = (try serverEndpoints(demo)["GET /redirect"] ?? 0) - before
            let stats = try CSVTable.read(prefix + "_stats.csv")
            let followed = try #require(stats.row(name: "/redirect", type: "GET")?.int("Request Count"), "\(stats.rows)")
            let stayed = try #require(stats.row(name: "/redirect-302", type: "GET")?.int("Request Count"), "\(stats.rows)")
            #expect(followed > 20 && stayed > 20, "followed \(followed), not followed \(stayed)")
            // Each reported request reached /redirect once: a pooled handle that went on from where its
            // last transfer was redirected would reach /items/7 without it.
            #expect(served == followed + stayed, "the server saw \(served) GET /redirect for \(followed) + \(stayed) requests")
            let failures = try CSVTable.read(prefix + "_failures.csv").rows
            #expect(stats.row(name: "Aggregated")?.int("Failure Count") == 0, "\(failures)")
        }
    }
}
