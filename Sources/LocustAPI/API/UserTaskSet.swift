/// The contents of a nested task set (``UserTask/set(_:weight:tags:waitTime:onStart:onStop:tasks:)``
/// and ``UserTask/sequence(_:weight:tags:waitTime:onStart:onStop:tasks:)``).
struct UserTaskSet<U: User>: Sendable {
    let tasks: [UserTask<U>]
    /// Tasks in order (Locust's `SequentialTaskSet`) rather than picked at random by weight.
    let sequential: Bool
    /// nil: the enclosing set's wait time, or the user's.
    let waitTime: WaitTime?
    let onStart: (@concurrent @Sendable (U) async throws -> Void)?
    let onStop: (@concurrent @Sendable (U) async throws -> Void)?

    func replacingTasks(_ tasks: [UserTask<U>]) -> UserTaskSet<U> {
        UserTaskSet(tasks: tasks, sequential: sequential, waitTime: waitTime, onStart: onStart, onStop: onStop)
    }
}
