/// Thrown from a task of a nested set to leave the set, like Locust's `self.interrupt()`: the set's
/// `onStop` runs and the user goes back to the tasks beside the set.
///
/// ```swift
/// .set("browse", tasks: [
///     UserTask("item", weight: 5) { await $0.client.get("/items/1") },
///     UserTask("done") { _ in throw InterruptTaskSet() },
/// ])
/// ```
///
/// Thrown from a task that is not in a set, it only ends that task.
public struct InterruptTaskSet: Error, Sendable {
    /// True: the next task is picked at once; false: the user first waits its wait time.
    public let reschedule: Bool

    /// Creates the error; `reschedule` as Locust's `interrupt(reschedule=True)`.
    public init(reschedule: Bool = true) {
        self.reschedule = reschedule
    }
}
