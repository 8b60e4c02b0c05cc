/// What a scenario runs once per test, like Locust's `test_start` and `test_stop` events: before the
/// first user starts and after the last one stopped. Standalone they run in the one process; on a
/// cluster they run on the master and on every slave, as Locust fires them.
///
/// ```swift
/// @_cdecl("locust_plugin_entry")
/// public func locustPluginEntry() -> UnsafeMutableRawPointer {
///     LocustPlugin.export(ShopUser.self, hooks: TestHooks(
///         onTestStart: { test in try await Fixtures.seed(test.host) },
///         onTestStop: { test in print("\(test.role) done") }))
/// }
/// ```
///
/// A hook that throws stops the test with its message: it is logged, counted under exceptions (so the
/// run exits 1) and, on a slave, its master stops the whole test.
public struct TestHooks: Sendable {
    /// A hook: called with the test's environment.
    public typealias Hook = @concurrent @Sendable (TestEnvironment) async throws -> Void

    let onTestStart: Hook?
    let onTestStop: Hook?

    /// Creates the hooks; either may be left out.
    public init(onTestStart: Hook? = nil, onTestStop: Hook? = nil) {
        self.onTestStart = onTestStart
        self.onTestStop = onTestStop
    }

    /// True when no hook is set.
    @_spi(Runner) public var isEmpty: Bool { onTestStart == nil && onTestStop == nil }

    /// Runs the start hook, if any; throws what it throws.
    @_spi(Runner) public func testStart(_ environment: TestEnvironment) async throws {
        try await onTestStart?(environment)
    }

    /// Runs the stop hook, if any; throws what it throws.
    @_spi(Runner) public func testStop(_ environment: TestEnvironment) async throws {
        try await onTestStop?(environment)
    }
}
