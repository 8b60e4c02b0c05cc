/// Locust's task ratios (`locust/user/inspectuser.py`, `get_ratio`): the body of `GET /tasks`
/// (`{"per_class": {...}, "total": {...}}`, also the report's `tasks`) and the text that
/// `locust --show-task-ratio` prints.
///
/// A class's ratio is its ``TaskRatioClass/weight`` over the sum of all the classes' weights (0 for
/// every class when that sum is 0); a task's ratio is its weight over the sum of its class's task
/// weights, multiplied by the class's ratio in the `total` view. The arithmetic is Locust's, in its
/// order, so the floats are the same (`0.06666666666666667`, not `0.06666666666666665`).
public enum TaskRatioJSON {
    /// The body of `GET /tasks`: `{"per_class": ratios(total: false), "total": ratios(total: true)}`.
    public static func body(classes: [TaskRatioClass]) -> JSONValue {
        .object(["per_class": ratios(classes: classes, total: false), "total": ratios(classes: classes, total: true)])
    }

    /// `{Class: {"ratio": r, "tasks": {task: {"ratio": r}}}}`; a task set's entry has its own `tasks`.
    /// - Parameter total: Multiply the task ratios by their class's ratio (the `total` view);
    ///   otherwise they are relative to their class (`per_class`), and a set's tasks to their set.
    public static func ratios(classes: [TaskRatioClass], total: Bool) -> JSONValue {
        var result: [String: JSONValue] = [:]
        for item in computed(classes, total: total) {
            result[item.name] = .object(["ratio": .double(item.ratio), "tasks": json(item.tasks ?? [])])
        }
        return .object(result)
    }

    private static func json(_ ratios: [Ratio]) -> JSONValue {
        var tasks: [String: JSONValue] = [:]
        for task in ratios {
            var entry: [String: JSONValue] = ["ratio": .double(task.ratio)]
            if let inner = task.tasks { entry["tasks"] = json(inner) }
            tasks[task.name] = .object(entry)
        }
        return .object(tasks)
    }

    /// What `locust --show-task-ratio` prints: the per-class ratios, then the total ratios, each
    /// under a title and a line of 80 dashes, every line ended by `\n`.
    public static func text(classes: [TaskRatioClass]) -> String {
        var lines = ["", " Task ratio per User class", String(repeating: "-", count: 80)]
        lines += self.lines(classes: classes, total: false)
        lines += ["", " Total task ratio", String(repeating: "-", count: 80)]
        lines += self.lines(classes: classes, total: true)
        return lines.map { $0 + "\n" }.joined()
    }

    /// The lines of one view as Locust's `_print_task_ratio` prints them (no line ends): for each
    /// class `" %-10s %-50s" % ("%-6.1f" % percent, name)`, and for its tasks the same indented by
    /// two spaces per level.
    public static func lines(classes: [TaskRatioClass], total: Bool) -> [String] {
        var lines: [String] = []
        func append(_ ratios: [Ratio], level: Int) {
            for ratio in ratios {
                lines.append(line(ratio: ratio.ratio, name: ratio.name, level: level))
                if let inner = ratio.tasks { append(inner, level: level + 1) }
            }
        }
        append(computed(classes, total: total), level: 0)
        return lines
    }

    private static func line(ratio: Double, name: String, level: Int) -> String {
        let padding = String(repeating: "  ", count: level)
        let percent = PythonFormat.leftAligned(PythonFormat.fixed(ratio * 100, decimals: 1), 6)
        return " " + PythonFormat.leftAligned(padding + percent, 10) + " " + PythonFormat.leftAligned(padding + name, 50)
    }

    /// One entry of a view: a class, a task, or a task set with its tasks.
    public struct Ratio: Sendable, Equatable {
        /// The class's or task's name.
        public var name: String
        /// Its ratio.
        public var ratio: Double
        /// A class's or a task set's entries; nil for a task.
        public var tasks: [Ratio]?
    }

    /// The ratios in input order (classes as given, tasks in order of first appearance).
    public static func computed(_ classes: [TaskRatioClass], total: Bool) -> [Ratio] {
        let classSum = classes.reduce(0) { $0 &+ max(0, $1.weight) }
        let userCount = classSum == 0 ? 1 : classSum
        return classes.map { userClass in
            let classRatio = Double(max(0, userClass.weight)) / Double(userCount)
            return Ratio(name: userClass.name, ratio: classRatio, tasks: taskRatios(userClass.tasks, total: total, parentRatio: classRatio))
        }
    }

    /// Locust's `_get_task_ratio`: a task's weight (its count in the expanded list) times the parent's
    /// ratio (1 in the per-class view) over the sum of the weights, then the same for a set's tasks.
    private static func taskRatios(_ tasks: [TaskRatioClass.Task], total: Bool, parentRatio: Double) -> [Ratio] {
        let parent = total ? parentRatio : 1.0
        var order: [String] = []
        var weights: [String: Int] = [:]
        var inner: [String: [TaskRatioClass.Task]] = [:]
        for task in tasks where task.weight > 0 {
            if weights[task.name] == nil { order.append(task.name) }
            weights[task.name, default: 0] &+= task.weight
            if let tasks = task.tasks, inner[task.name] == nil { inner[task.name] = tasks }
        }
        let taskSum = weights.values.reduce(0, &+)
        return order.map { name in
            let ratio = Double(weights[name] ?? 0) * parent / Double(taskSum)
            return Ratio(name: name, ratio: ratio, tasks: inner[name].map { taskRatios($0, total: total, parentRatio: ratio) })
        }
    }
}
