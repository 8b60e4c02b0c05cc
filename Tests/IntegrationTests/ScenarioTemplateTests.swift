import Foundation
import Testing

extension Integration {
    /// `locust new`: the generated scenario builds and loads.
    @Suite("locust new", .timeLimit(.minutes(12)))
    struct ScenarioTemplate {
        let locust: Locust
        init() throws { locust = try Locust() }

        @Test("locust new Demo writes a package that builds and whose plugin lists DemoUser")
        func newScenarioBuildsAndLoads() async throws {
            let directory = try TempDirectory("locust-it-new")
            defer { directory.remove() }
            let package = directory.file("Demo")
            let created = try await locust.run(["new", "Demo", "--directory", package], in: directory, timeout: .seconds(20))
            try #require(created.exited(0), "\(created)")
            #expect(FileManager.default.fileExists(atPath: package + "/Package.swift"))

            let build = try await Subprocess.run(
                "/usr/bin/env", ["swift", "build", "-c", "release", "--package-path", package],
                outputDirectory: directory, timeout: .seconds(600))
            try #require(build.exited(0), "the generated scenario does not build:\n\(build)")
            // LocustAPI's expected library-evolution warnings are silenced for scenario builds.
            #expect(!build.stdout.contains("warning:") && !build.stderr.contains("warning:"), "the first build prints warnings:\n\(build)")
            let library = package + "/.build/release/libDemo.so"
            try #require(FileManager.default.fileExists(atPath: library), "\(library) was not built:\n\(build)")

            let listed = try await locust.run(["-f", library, "--list"], in: directory, timeout: .seconds(20))
            #expect(listed.exited(0), "\(listed)")
            #expect(listed.stdout.contains("DemoUser"), "--list does not show DemoUser:\n\(listed)")
        }

        @Test("locust new refuses a name that is not a Swift identifier")
        func refusesBadName() async throws {
            let directory = try TempDirectory()
            defer { directory.remove() }
            let result = try await locust.run(["new", "9-lives", "--directory", directory.file("x")], in: directory, timeout: .seconds(20))
            #expect(result.exited(2), "\(result)")
            #expect(!FileManager.default.fileExists(atPath: directory.file("x/Package.swift")))
        }
    }
}
