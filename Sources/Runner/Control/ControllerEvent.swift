/// What a run controller announces: the state machine's transitions, in order.
public enum ControllerEvent: Sendable, Equatable {
    /// The state changed.
    case state(RunState)
    /// A new test began (not an edit of a running one); its number counts from 1 in this process.
    case testStarted(index: Int)
    /// Every user of the current target is running.
    case spawningComplete(users: Int)
    /// The test stopped (users gone, last statistics in).
    case testStopped(StopReason)
    /// Statistics were reset.
    case statsReset
}
