import LocustAPI
import LocustStats

/// What `--show-task-ratio` and `--show-task-ratio-json` print, from the selected classes as Locust
/// computes it before a run (`locust/user/inspectuser.py`).
enum TaskRatioOutput {
    /// The classes with the share of users each gets: its weight, or
    /// with `-u N` Locust's `_calc_distribution`, `round(weight / total * N)` users per class. Classes
    /// of weight 0 are left out, as Locust removes them.
    static func classes(_ classes: [UserClass], settings: RunSettings, users: Int?) -> [TaskRatioClass] {
        let weighted = classes.map { (userClass: $0, weight: $0.weight) }.filter { $0.weight > 0 }
        let totalWeight = weighted.reduce(0) { $0 + $1.weight }
        return weighted.map { item in
            var share = item.weight
            if let users, users > 0, totalWeight > 0 {
                let count = Double(item.weight) / Double(totalWeight) * Double(users)
                share = Int(count.rounded(.toNearestOrEven))
            }
            return TaskRatioClass(
                name: item.userClass.name, weight: share,
                // --equal-weights: every task weighs 1, as Locust's.
                tasks: item.userClass.tasks.map { TaskRatioClass.Task(name: $0.name, weight: settings.taskWeight($0.weight)) })
        }
    }

    /// `--show-task-ratio`: the per-class table, then the total one (Locust's layout).
    static func text(_ classes: [UserClass], settings: RunSettings, users: Int?) -> String {
        TaskRatioJSON.text(classes: self.classes(classes, settings: settings, users: users))
    }

    /// `--show-task-ratio-json`: `{"per_class": ..., "total": ...}`, indented, with a final newline.
    static func json(_ classes: [UserClass], settings: RunSettings, users: Int?) -> String {
        TaskRatioJSON.body(classes: self.classes(classes, settings: settings, users: users)).serialized(pretty: true) + "\n"
    }
}
