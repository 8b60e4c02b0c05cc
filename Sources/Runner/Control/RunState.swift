/// The state of a test, of a runner or of one slave: Locust's states, by Locust's names on every wire
/// (`GET /stats/requests`, heartbeats, the web UI).
public enum RunState: String, Sendable, CaseIterable, Codable {
    /// No test yet: waiting for a start (the web UI's form, or a headless run about to start).
    case ready
    /// Users are being started or stopped toward a new target.
    case spawning
    /// Every user of the target runs.
    case running
    /// A slave's users are stopping after its master was lost.
    case cleanup
    /// The test is stopping: users finish their task (`--stop-timeout`), slaves send their last statistics.
    case stopping
    /// The test ended; a new one may start.
    case stopped
    /// A slave that missed its heartbeats (master's view only).
    case missing

    /// Locust's name of the state, as its API and protocol spell it.
    public var locustName: String { rawValue }

    /// True while a test runs users (a start now edits the test instead of beginning another).
    public var isActive: Bool { self == .spawning || self == .running }
}
