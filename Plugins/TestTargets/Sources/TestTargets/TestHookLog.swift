import Foundation
import LocustAPI

/// The plugin's test hooks, for the integration tests: with `LOCUST_TEST_HOOK_LOG=PATH` each process
/// appends `start ROLE HOST` and `stop ROLE` to PATH; with `LOCUST_TEST_HOOK_FAIL=1` test_start throws.
/// Without them the hooks do nothing.
enum TestHookLog {
    struct SeedFailed: Error, CustomStringConvertible {
        var description: String { "the fixtures could not be loaded" }
    }

    static let hooks = TestHooks(
        onTestStart: { test in
            append("start \(test.role.rawValue) \(test.host ?? "-")")
            if ProcessInfo.processInfo.environment["LOCUST_TEST_HOOK_FAIL"] == "1" { throw SeedFailed() }
        },
        onTestStop: { test in append("stop \(test.role.rawValue)") })

    static func append(_ line: String) {
        guard let path = ProcessInfo.processInfo.environment["LOCUST_TEST_HOOK_LOG"] else { return }
        if !FileManager.default.fileExists(atPath: path) { FileManager.default.createFile(atPath: path, contents: nil) }
        guard let handle = FileHandle(forWritingAtPath: path) else { return }
        handle.seekToEndOfFile()
        handle.write(Data((line + "\n").utf8))
        try? handle.close()
    }
}
