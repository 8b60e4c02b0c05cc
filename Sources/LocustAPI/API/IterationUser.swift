/// One user instance of the open model (`--arrival-rate`): made with its `onStart` run, then lent to
/// one iteration at a time, each running one leaf task picked by weight, and stopped (`onStop`) at the
/// end of the test. Made by ``UserClass/makeIterationUser(_:)``.
@_spi(Runner) public final class IterationUser: Sendable {
    /// How an iteration ended.
    public enum Outcome: Sendable, Equatable {
        /// The task ended (returned, threw, or threw ``InterruptTaskSet``): the instance can run more.
        case done
        /// The task threw ``StopUser``: the instance is stopped and not lent again.
        case stopUser
    }

    /// The instance's context (its client, its stop switch).
    public let context: UserContext
    private let iterate: @Sendable (Double) async -> Outcome
    private let finish: @Sendable () async -> Void

    init(context: UserContext, iterate: @escaping @Sendable (Double) async -> Outcome, finish: @escaping @Sendable () async -> Void) {
        self.context = context
        self.iterate = iterate
        self.finish = finish
    }

    /// Runs one iteration: the leaf task at `pick` (0..<1) of the cumulative leaf weights (a nested set
    /// counts as its leaf tasks, each weighted by its share of the set's weight; the set's own `onStart`,
    /// `onStop` and waits are not run). Call it from one task at a time.
    public func runIteration(pick: Double) async -> Outcome {
        await iterate(pick)
    }

    /// Runs the instance's `onStop`; once, after its last iteration.
    public func stop() async {
        await finish()
    }
}
