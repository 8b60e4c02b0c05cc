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

    /// `{Class: {"ratio": r, "tasks": {task: {"ratio": r}}}}`.
    /// - Parameter total: Multiply the task ratios by their class's ratio (the `total` view);
    ///   otherwise they are relative to their class (`per_class`).
    public static func ratios(classes: [TaskRatioClass], total: Bool) -> JSONValue {
        var result: [String: JSONValue] = [:]
        for item in computed(classes, total: total) {
            var tasks: [String: JSONValue] = [:]
            for task in item.tasks { tasks[task.name] = .object(["ratio": .double(task.ratio)]) }
            result[item.name] = .object(["ratio": .double(item.ratio), "tasks": .object(tasks)])
        }
        return .object(result)
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
    /// two spaces.
    public static func lines(classes: [TaskRatioClass], total: Bool) -> [String] {
        var lines: [String] = []
        for item in computed(classes, total: total) {
            lines.append(line(ratio: item.ratio, name: item.name, level: 0))
            for task in item.tasks { lines.append(line(ratio: task.ratio, name: task.name, level: 1)) }
        }
        return lines
    }

    private static func line(ratio: Double, name: String, level: Int) -> String {
        let padding = String(repeating: "  ", count: level)
        let percent = PythonFormat.leftAligned(PythonFormat.fixed(ratio * 100, decimals: 1), 6)
        return " " + PythonFormat.leftAligned(padding + percent, 10) + " " + PythonFormat.leftAligned(padding + name, 50)
    }

    /// The ratios in input order (classes as given, tasks in order of first appearance).
    static func computed(
        _ classes: [TaskRatioClass], total: Bool
    ) -> [(name: String, ratio: Double, tasks: [(name: String, ratio: Double)])] {
        let classSum = classes.reduce(0) { $0 &+ max(0, $1.weight) }
        let userCount = classSum == 0 ? 1 : classSum
        return classes.map { userClass in
            let classRatio = Double(max(0, userClass.weight)) / Double(userCount)
            let parentRatio = total ? classRatio : 1.0
            var order: [String] = []
            var weights: [String: Int] = [:]
            for task in userClass.tasks where task.weight > 0 {
                if weights[task.name] == nil { order.append(task.name) }
                weights[task.name, default: 0] &+= task.weight
            }
            let taskSum = weights.values.reduce(0, &+)
            let tasks = order.map { name in
                (name: name, ratio: Double(weights[name] ?? 0) * parentRatio / Double(taskSum))
            }
            return (name: userClass.name, ratio: classRatio, tasks: tasks)
        }
    }
}
