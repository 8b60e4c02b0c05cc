import Foundation
@_spi(Runner) import LocustAPI
import LocustStats

/// Runs the plugin's ``TestHooks`` for this process's role: once per test, before the first user and
/// after the last. A hook that throws is logged and counted under the exceptions (so the run exits 1;
/// a slave's reach its master with its statistics); the caller then stops the test.
final class TestHookRunner: Sendable {
    let hooks: TestHooks
    let role: TestEnvironment.Role
    private let stats: RequestStats
    private let logger: RunLogger

    /// Hooks that run as `role`, recording failures in `stats`.
    init(hooks: TestHooks, role: TestEnvironment.Role, stats: RequestStats, logger: RunLogger) {
        self.hooks = hooks
        self.role = role
        self.stats = stats
        self.logger = logger
    }

    /// No hooks: nothing to run.
    static func none(stats: RequestStats, logger: RunLogger) -> TestHookRunner {
        TestHookRunner(hooks: TestHooks(), role: .standalone, stats: stats, logger: logger)
    }

    /// Runs `onTestStart`; returns its failure's message, or nil.
    func testStart(host: String?, options: ScenarioOptions = ScenarioOptions(values: [:])) async -> String? {
        guard !hooks.isEmpty else { return nil }
        do {
            try await hooks.testStart(TestEnvironment(role: role, host: host, options: options))
            return nil
        } catch {
            return failed("test_start", error)
        }
    }

    /// Runs `onTestStop`; returns its failure's message, or nil.
    func testStop(host: String?, options: ScenarioOptions = ScenarioOptions(values: [:])) async -> String? {
        guard !hooks.isEmpty else { return nil }
        do {
            try await hooks.testStop(TestEnvironment(role: role, host: host, options: options))
            return nil
        } catch {
            return failed("test_stop", error)
        }
    }

    private func failed(_ hook: String, _ error: any Error) -> String {
        let message = Self.describe(error)
        logger.error("The \(hook) hook failed: \(message)")
        stats.recordException(message: message, location: hook)
        return message
    }

    /// `Type(message)`, as exceptions are shown.
    static func describe(_ error: any Error) -> String {
        let type = String(describing: Swift.type(of: error))
        let text = (error as? LocalizedError)?.errorDescription ?? String(describing: error)
        return text == type || text.isEmpty ? type : "\(type)(\(text))"
    }
}
