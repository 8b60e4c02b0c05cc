/// A weighted task of a user class, like a `@task(weight)` method in Locust, or a nested set of
/// tasks, like Locust's `TaskSet` and `SequentialTaskSet`.
///
/// ```swift
/// static let tasks: [UserTask<ShopUser>] = [
///     UserTask("browse", weight: 3, tags: ["read"]) { try await $0.browse() },
///     UserTask("buy") { try await $0.buy() },
///     .set("admin", tags: ["admin"], tasks: [
///         UserTask("report") { await $0.client.get("/admin/report") },
///         UserTask("leave") { _ in throw InterruptTaskSet() },
///     ]),
/// ]
/// ```
public struct UserTask<U: User>: Sendable {
    /// What a task does: one piece of work, or a set of tasks it runs until interrupted.
    enum Body: Sendable {
        case run(@concurrent @Sendable (U) async throws -> Void)
        case set(UserTaskSet<U>)
    }

    /// The task's name (shown by `locust --list`, the task ratios and exception locations).
    public let name: String
    /// How often it is picked relative to its siblings (in a sequence: how many times in a row it runs).
    public let weight: Int
    /// Its tags, for `-T/--tags` and `-E/--exclude-tags` (a set's tags are also its tasks').
    public let tags: Set<String>
    let body: Body

    /// Creates a task. A weight of 0 disables it.
    ///
    /// - Parameters:
    ///   - name: The task's name.
    ///   - weight: How often it is picked relative to the other tasks beside it.
    ///   - tags: Tags that `-T/--tags` selects and `-E/--exclude-tags` leaves out, like Locust's `@tag`.
    ///   - run: The work, run on the user instance. `@concurrent`: scenario code, built without
    ///     `NonisolatedNonsendingByDefault`, passes its user to it freely.
    public init(
        _ name: String, weight: Int = 1, tags: Set<String> = [],
        _ run: @escaping @concurrent @Sendable (U) async throws -> Void
    ) {
        self.init(name: name, weight: weight, tags: tags, body: .run(run))
    }

    init(name: String, weight: Int, tags: Set<String>, body: Body) {
        self.name = name
        self.weight = max(0, weight)
        self.tags = tags
        self.body = body
    }

    /// A nested set of tasks, like Locust's `TaskSet`: once picked, the user runs the set's tasks, picked
    /// by weight and with the set's wait time, until one of them throws ``InterruptTaskSet`` (back to the
    /// tasks beside the set) or the user stops.
    ///
    /// - Parameters:
    ///   - name: The set's name.
    ///   - weight: How often the set is picked relative to the tasks beside it.
    ///   - tags: Tags of the set and of every task in it (Locust's `@tag` on a `TaskSet`).
    ///   - waitTime: The wait between the set's tasks; nil: the enclosing set's or the user's.
    ///   - onStart: Runs each time the set is entered, before its first task.
    ///   - onStop: Runs each time the set is left: interrupted, or the user stopping.
    ///   - tasks: The set's tasks, which may be sets themselves.
    public static func set(
        _ name: String, weight: Int = 1, tags: Set<String> = [], waitTime: WaitTime? = nil,
        onStart: (@concurrent @Sendable (U) async throws -> Void)? = nil,
        onStop: (@concurrent @Sendable (U) async throws -> Void)? = nil,
        tasks: [UserTask<U>]
    ) -> UserTask<U> {
        nested(name, weight: weight, tags: tags, sequential: false, waitTime: waitTime, onStart: onStart, onStop: onStop, tasks: tasks)
    }

    /// A sequence of tasks, like Locust's `SequentialTaskSet`: once picked, the user runs its tasks in
    /// the order given (a task of weight 3 three times in a row), then again from the first, until one
    /// throws ``InterruptTaskSet`` or the user stops.
    ///
    /// - Parameters: As ``set(_:weight:tags:waitTime:onStart:onStop:tasks:)``.
    public static func sequence(
        _ name: String, weight: Int = 1, tags: Set<String> = [], waitTime: WaitTime? = nil,
        onStart: (@concurrent @Sendable (U) async throws -> Void)? = nil,
        onStop: (@concurrent @Sendable (U) async throws -> Void)? = nil,
        tasks: [UserTask<U>]
    ) -> UserTask<U> {
        nested(name, weight: weight, tags: tags, sequential: true, waitTime: waitTime, onStart: onStart, onStop: onStop, tasks: tasks)
    }

    /// A set or a sequence, its tags given to its tasks.
    static func nested(
        _ name: String, weight: Int, tags: Set<String>, sequential: Bool, waitTime: WaitTime?,
        onStart: (@concurrent @Sendable (U) async throws -> Void)?, onStop: (@concurrent @Sendable (U) async throws -> Void)?,
        tasks: [UserTask<U>]
    ) -> UserTask<U> {
        UserTask(
            name: name, weight: weight, tags: tags,
            body: .set(UserTaskSet(
                tasks: tasks.map { $0.tagged(tags) }, sequential: sequential, waitTime: waitTime, onStart: onStart, onStop: onStop)))
    }

    /// This task with `extra` tags added to it and, for a set, to everything in it.
    func tagged(_ extra: Set<String>) -> UserTask<U> {
        guard !extra.isEmpty else { return self }
        switch body {
        case .run:
            return UserTask(name: name, weight: weight, tags: tags.union(extra), body: body)
        case .set(let set):
            return UserTask(name: name, weight: weight, tags: tags.union(extra), body: .set(set.replacingTasks(set.tasks.map { $0.tagged(extra) })))
        }
    }

    /// This task as `filter` leaves it, or nil when it is left out: a task by its tags; a set keeps the
    /// tasks that pass and is left out when none does (Locust's `filter_tasks_by_tags`).
    func filtered(by filter: TagFilter) -> UserTask<U>? {
        switch body {
        case .run:
            return filter.passes(tags) ? self : nil
        case .set(let set):
            let kept = set.tasks.compactMap { $0.filtered(by: filter) }
            guard !kept.isEmpty else { return nil }
            return UserTask(name: name, weight: weight, tags: tags, body: .set(set.replacingTasks(kept)))
        }
    }

    /// The task's metadata, with the structure of a set.
    var info: UserClass.TaskInfo {
        switch body {
        case .run:
            UserClass.TaskInfo(name: name, weight: weight, tags: tags.sorted(), kind: .task, tasks: [])
        case .set(let set):
            UserClass.TaskInfo(
                name: name, weight: weight, tags: tags.sorted(), kind: set.sequential ? .sequence : .set,
                tasks: set.tasks.map(\.info))
        }
    }
}
