import Foundation
import Testing

extension Integration {
    /// What `locust` accepts as a plugin and how it refuses bad input.
    @Suite("Plugins and bad input", .timeLimit(.minutes(12)))
    struct PluginLoading {
        let locust: Locust
        init() throws { locust = try Locust() }

        @Test("--list prints every user class of TestTargets")
        func listsUserClasses() async throws {
            let directory = try TempDirectory()
            defer { directory.remove() }
            let result = try await locust.run(["-f", locust.binaries.testPlugin, "--list"], in: directory, timeout: .seconds(20))
            #expect(result.exited(0), "\(result)")
            for name in Binaries.testTargetClasses {
                #expect(result.stdout.contains(name), "--list does not mention \(name):\n\(result.stdout)")
            }
        }

        /// jemalloc prints its statistics at exit when `MALLOC_CONF` asks, and only if it is the allocator
        /// that served the process (glibc's malloc ignores the variable).
        @Test("The runner and the plugin it loads allocate with jemalloc; LOCUST_MALLOC=glibc keeps glibc's malloc")
        func runsOnJemalloc() async throws {
            let directory = try TempDirectory()
            defer { directory.remove() }
            let statistics = "Begin jemalloc statistics"
            let jemalloc = try await locust.run(
                ["-f", locust.binaries.testPlugin, "--list"], in: directory,
                environment: ["MALLOC_CONF": "stats_print:true"], timeout: .seconds(20))
            #expect(jemalloc.exited(0), "\(jemalloc)")
            #expect(jemalloc.stdout.contains("PacedUser"), "\(jemalloc)")
            #expect(jemalloc.stderr.contains(statistics), "no jemalloc statistics at exit:\n\(jemalloc)")
            let glibc = try await locust.run(
                ["-f", locust.binaries.testPlugin, "--list"], in: directory,
                environment: ["MALLOC_CONF": "stats_print:true", "LOCUST_MALLOC": "glibc"], timeout: .seconds(20))
            #expect(glibc.exited(0), "\(glibc)")
            #expect(!glibc.stderr.contains(statistics) && !glibc.stdout.contains(statistics), "\(glibc)")
        }

        /// The clock-skew tests run slaves under libfaketime. Linked into the runner, jemalloc deadlocked
        /// there (its initialization reads the clock, libfaketime's then fails a `dlsym` and mallocs while
        /// jemalloc holds its init lock); preloaded only when nothing else is, it stays out of the way.
        @Test("Under libfaketime (a slave whose clock is skewed) the runner starts on glibc, loads a plugin and exits")
        func startsUnderFaketime() async throws {
            try #require(FileManager.default.isExecutableFile(atPath: "/usr/bin/faketime"), "faketime is missing: make deps installs it")
            let directory = try TempDirectory()
            defer { directory.remove() }
            let result = try await Subprocess.run(
                "/usr/bin/faketime", ["-f", "+180s", locust.binaries.locust, "-f", locust.binaries.testPlugin, "--list"],
                directory: directory.path,
                environment: Locust.environment(
                    home: directory.path, extra: ["FAKETIME_DONT_FAKE_MONOTONIC": "1", "MALLOC_CONF": "stats_print:true"]),
                outputDirectory: directory, timeout: .seconds(20))
            #expect(result.exited(0), "\(result)")
            #expect(result.stdout.contains("PacedUser"), "\(result)")
            #expect(!result.stderr.contains("libfaketime"), "libfaketime complained:\n\(result)")
            #expect(!result.stderr.contains("jemalloc statistics"), "jemalloc under faketime:\n\(result)")
        }

        /// Input that `locust` must refuse with exit code 2 and one line on stderr.
        enum BadInput: String, CaseIterable, CustomTestStringConvertible {
            case missingFile = "a plugin path that does not exist"
            case textFile = "a text file passed as plugin"
            case libraryWithoutEntryPoint = "a shared library without locust_plugin_entry"
            case directory = "a directory passed as plugin"
            case badDuration = "-t 5x"
            case hostWithoutScheme = "--host notaurl"
            case ftpHost = "--host ftp://x"
            case unknownOption = "an unknown option"
            case unknownAllocator = "LOCUST_MALLOC=tcmalloc"

            var testDescription: String { rawValue }

            /// What the case adds to the environment.
            var environment: [String: String] { self == .unknownAllocator ? ["LOCUST_MALLOC": "tcmalloc"] : [:] }

            /// A system library with no SwiftLocust entry point.
            static let systemLibrary = [
                "/usr/lib/x86_64-linux-gnu/libcurl.so.4", "/usr/lib/aarch64-linux-gnu/libcurl.so.4",
                "/usr/lib/x86_64-linux-gnu/libz.so.1", "/usr/lib/aarch64-linux-gnu/libz.so.1",
            ].first { FileManager.default.fileExists(atPath: $0) }

            func arguments(plugin: String, directory: TempDirectory) throws -> [String] {
                let run = ["--headless", "-u", "1", "-r", "1", "-t", "2s"]
                let host = ["--host", "http://127.0.0.1:9"]
                switch self {
                case .missingFile:
                    return ["-f", directory.file("missing/libNothing.so")] + host + run
                case .textFile:
                    try directory.write("notaplugin.so", "this is text, not an ELF shared library\n")
                    return ["-f", directory.file("notaplugin.so")] + host + run
                case .libraryWithoutEntryPoint:
                    let library = try #require(Self.systemLibrary, "no libcurl.so.4 or libz.so.1 found to use as a non-plugin library")
                    return ["-f", library] + host + run
                case .directory:
                    return ["-f", directory.path] + host + run
                case .badDuration:
                    return ["-f", plugin] + host + ["--headless", "-u", "1", "-r", "1", "-t", "5x"]
                case .hostWithoutScheme:
                    return ["-f", plugin, "--host", "notaurl"] + run
                case .ftpHost:
                    return ["-f", plugin, "--host", "ftp://x"] + run
                case .unknownOption:
                    return ["-f", plugin] + host + run + ["--no-such-option"]
                case .unknownAllocator:
                    return ["-f", plugin] + host + run
                }
            }
        }

        @Test("Bad input: exit code 2 and exactly one 'locust: error:' line on stderr", arguments: BadInput.allCases)
        func refusesBadInput(_ input: BadInput) async throws {
            let directory = try TempDirectory()
            defer { directory.remove() }
            let arguments = try input.arguments(plugin: locust.binaries.testPlugin, directory: directory)
            let result = try await locust.run(arguments, in: directory, environment: input.environment, timeout: .seconds(20))
            #expect(result.exited(2), "\(result)")
            #expect(result.stderrLines.count == 1, "stderr should be one line:\n\(result)")
            #expect(result.stderrLines.first?.hasPrefix("locust: error: ") == true, "\(result)")
            #expect(result.seconds < 5, "refusing bad input took \(result.seconds) s")
        }

        @Test("A plugin built against another LocustAPI ABI is refused: exit code 2, 'rebuild'")
        func refusesOtherABI() async throws {
            let directory = try TempDirectory("locust-it-abi")
            defer { directory.remove() }
            let checkout = locust.binaries.checkout
            // A copy of LocustAPI whose plugins record ABI 999 ...
            let api = directory.file("LocustAPI")
            try copyPackage(from: checkout + "/Sources/LocustAPI", to: api)
            let pluginSource = api + "/API/LocustPlugin.swift"
            let original = "public static var compiledVersion: Int { 2 }"
            let source = try String(contentsOfFile: pluginSource, encoding: .utf8)
            try #require(source.contains(original), "\(pluginSource) no longer contains '\(original)': update this test")
            try source.replacingOccurrences(of: original, with: "public static var compiledVersion: Int { 999 }")
                .write(toFile: pluginSource, atomically: true, encoding: .utf8)
            // ... and a copy of TestTargets built against it.
            let plugin = directory.file("TestTargets")
            try copyPackage(from: checkout + "/Plugins/TestTargets", to: plugin)
            let manifest = plugin + "/Package.swift"
            let manifestText = try String(contentsOfFile: manifest, encoding: .utf8)
            try #require(manifestText.contains("\"../../Sources/LocustAPI\""), "Plugins/TestTargets/Package.swift changed: update this test")
            try manifestText.replacingOccurrences(of: "\"../../Sources/LocustAPI\"", with: "\"\(api)\"")
                .write(toFile: manifest, atomically: true, encoding: .utf8)

            // A debug build, without debug information: the ABI check does not care, and it builds in
            // about half the time of a release build.
            let build = try await Subprocess.run(
                "/usr/bin/env", ["swift", "build", "-c", "debug", "-Xswiftc", "-gnone", "--package-path", plugin],
                outputDirectory: directory, timeout: .seconds(600))
            try #require(build.exited(0), "building the ABI-999 plugin failed:\n\(build)")
            let library = plugin + "/.build/debug/libTestTargets.so"
            try #require(FileManager.default.fileExists(atPath: library), "\(library) was not built")

            for arguments in [["-f", library, "--list"], ["-f", library, "--host", "http://127.0.0.1:9", "--headless", "-u", "1", "-t", "2s"]] {
                let result = try await locust.run(arguments, in: directory, timeout: .seconds(20))
                #expect(result.exited(2), "\(result)")
                #expect(result.stderrLines.count == 1, "stderr should be one line:\n\(result)")
                #expect(result.stderrLines.first?.hasPrefix("locust: error: ") == true, "\(result)")
                #expect(result.stderr.contains("rebuild"), "the message should say to rebuild:\n\(result)")
                #expect(result.stderr.contains("999"), "the message should name the plugin's ABI (999):\n\(result)")
            }
        }

        /// Copies a package's sources, without its build folders.
        func copyPackage(from source: String, to destination: String) throws {
            let fileManager = FileManager.default
            try fileManager.createDirectory(atPath: destination, withIntermediateDirectories: true)
            for item in try fileManager.contentsOfDirectory(atPath: source)
            where ![".build", ".swiftpm", "Package.resolved"].contains(item) && !item.hasPrefix(".build") {
                try fileManager.copyItem(atPath: source + "/" + item, toPath: destination + "/" + item)
            }
        }
    }
}
