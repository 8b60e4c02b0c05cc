/// Why a test stopped.
public enum StopReason: Sendable, Equatable {
    /// `POST /stop`, the web UI's Stop button, or a new headless order.
    case requested
    /// The test's `-t`/`run_time` ran out.
    case runTime
    /// Every user ended by itself (`StopUser`), with users asked for.
    case allUsersStopped
    /// The last slave left a master's test.
    case noSlavesLeft
    /// The last active slave of a master's test went missing (silent for 3 heartbeats).
    case lastSlaveMissing
    /// SIGINT or SIGTERM.
    case signal(String)
    /// `--threshold-abort`: a threshold failed while the test ran (its summary line).
    case thresholdFailed(String)
    /// The load shape (its name: a plugin's, `stages`, `step-load`) ended.
    case shapeEnded(String)
    /// The open model's schedule (`--arrival-stages`) ended.
    case arrivalsEnded
    /// The test_start hook threw (its message), here or on a slave.
    case hookFailed(String)

    /// The log line Locust writes for it.
    var logLine: String {
        switch self {
        case .requested: "Stopping the test"
        case .runTime: "--run-time limit reached, stopping test"
        case .allUsersStopped: "All users have stopped by themselves, stopping test"
        case .noSlavesLeft: "The last slave quit, stopping test"
        case .lastSlaveMissing: "The last slave went missing, stopping test"
        case .signal(let name): "Received \(name), shutting down"
        case .thresholdFailed(let line): "Threshold failed (\(line)): stopping test (--threshold-abort)"
        case .shapeEnded(let name): "The load shape \(name) ended, stopping test"
        case .arrivalsEnded: "The --arrival-stages schedule ended, stopping test"
        case .hookFailed(let message): "The test_start hook failed (\(message)), stopping test"
        }
    }
}
