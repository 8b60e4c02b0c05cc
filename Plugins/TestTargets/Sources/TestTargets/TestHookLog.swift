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
        // O_APPEND: the master and its slaves write to one file at once; each line lands whole at the end
        // (a seek then a write could put two processes' lines at the same offset).
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0o644)
        guard fd >= 0 else { return }
        let bytes = Array((line + "\n").utf8)
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
    }
}
