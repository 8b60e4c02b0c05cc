/// What a ``TestHooks`` hook knows of its test.
public struct TestEnvironment: Sendable {
    /// The process a hook runs in.
    public enum Role: String, Sendable {
        /// A run without master or slaves.
        case standalone
        /// A master: it runs no users.
        case master
        /// A slave of a master.
        case slave
    }

    /// Where the hook runs.
    public let role: Role
    /// The test's host (`--host`, the web form's, or a master's); nil when the classes use their own.
    public let host: String?
    /// The scenario's own options for this test (``ScenarioOption``).
    public let options: ScenarioOptions

    /// Creates an environment; the runner makes one per hook call.
    @_spi(Runner) public init(role: Role, host: String?, options: ScenarioOptions = ScenarioOptions(values: [:])) {
        self.role = role
        self.host = host
        self.options = options
    }
}
