import LocustStats
import Synchronization

/// What both controllers publish: their status behind a lock (read by `status()` without waiting for
/// the actor) and their events, with the transitions they share.
final class PublishedStatus: Sendable {
    let events: EventBroadcaster
    private let status: Mutex<RunStatus>

    init(host: String?, classNames: [String], events: EventBroadcaster) {
        self.events = events
        status = Mutex(RunStatus(
            state: .ready, userCount: 0, targetUsers: 0, spawnRate: 0, host: host, userClasses: classNames, testIndex: 0,
            workers: []))
    }

    /// The status now.
    var current: RunStatus { status.withLock { $0 } }

    /// Moves to `state`, announcing it if it changed.
    func setState(_ state: RunState) {
        let changed = status.withLock { status -> Bool in
            guard status.state != state else { return false }
            status.state = state
            return true
        }
        if changed { events.publish(.state(state)) }
    }

    /// Records an accepted start: a new test (from `ready` or `stopped`) resets `stats` and gets the next
    /// number, an edit keeps both. Returns the test's number.
    func begin(_ plan: StartPlan, rate: Double, newTest: Bool, stats: RequestStats) -> Int {
        if newTest {
            stats.reset()
            events.publish(.statsReset)
        }
        let test = status.withLock { status -> Int in
            status.targetUsers = plan.users
            status.spawnRate = rate
            status.host = plan.host
            status.userClasses = plan.classNames
            if newTest { status.testIndex += 1 }
            return status.testIndex
        }
        if newTest { events.publish(.testStarted(index: test)) }
        return test
    }

    /// True while test `test` is the current one and runs users (its run-time timer may stop it).
    func isRunning(test: Int) -> Bool {
        status.withLock { $0.testIndex == test && $0.state.isActive }
    }
}
