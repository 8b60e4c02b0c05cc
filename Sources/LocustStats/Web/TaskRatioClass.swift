/// A user class as the task-ratio views (`GET /tasks`, the report, `--show-task-ratio`) need it:
/// its name, its share of the users and its tasks with their weights.
public struct TaskRatioClass: Sendable, Equatable {
    /// A task of the class and its weight (Locust's `@task(weight)`), or a nested task set and its tasks.
    public struct Task: Sendable, Equatable {
        /// The task's name.
        public var name: String
        /// The task's weight; negative weights count as 0.
        public var weight: Int
        /// A task set's tasks; nil for a task.
        public var tasks: [Task]?

        /// Creates a task, or a task set when `tasks` is given.
        public init(name: String, weight: Int, tasks: [Task]? = nil) {
            self.name = name
            self.weight = weight
            self.tasks = tasks
        }
    }

    /// The class name.
    public var name: String
    /// The class's share of the users, relative to the other classes: its weight for
    /// `--show-task-ratio`; Locust's `/tasks` and report use the number of users of the class that
    /// are running (so every class has ratio 0 before a start). Negative values count as 0.
    public var weight: Int
    /// The tasks, in declaration order; a name listed twice adds its weights.
    public var tasks: [Task]

    /// Creates a class.
    public init(name: String, weight: Int, tasks: [Task]) {
        self.name = name
        self.weight = weight
        self.tasks = tasks
    }
}
