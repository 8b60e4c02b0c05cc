@_spi(Runner) import LocustAPI
import LocustStats

/// What `--show-task-ratio` and `--show-task-ratio-json` print, from the selected classes as Locust
/// computes it before a run (`locust/user/inspectuser.py`).
enum TaskRatioOutput {
    /// The classes with the share of users each gets, as Locust's `_calc_distribution`: a class
    /// with a fixed count gets it; the others `round(weight / total * N)` of the users left, where
    /// without `-u` N is the sum of the weights (so the share is the weight), or 1 when some class
    /// has a fixed count. Classes of weight 0 and no fixed count are left out, as Locust removes them.
    static func classes(_ classes: [UserClass], settings: RunSettings, users: Int?) -> [TaskRatioClass] {
        let kept = classes.filter { $0.weight > 0 || $0.fixedCount > 0 }
        let fixedSum = kept.reduce(0) { $0 + $1.fixedCount }
        let totalWeight = kept.filter { $0.fixedCount == 0 }.reduce(0) { $0 + $1.weight }
        let userTotal = users.flatMap { $0 > 0 ? $0 : nil } ?? (fixedSum == 0 ? totalWeight : 1)
        let weightedCount = max(0, userTotal - fixedSum)
        return kept.map { userClass in
            var share = userClass.fixedCount
            if share == 0, totalWeight > 0 {
                let count = Double(userClass.weight) / Double(totalWeight) * Double(weightedCount)
                share = Int(count.rounded(.toNearestOrEven))
            }
            return TaskRatioClass(
                name: userClass.name, weight: share,
                // --equal-weights: every task weighs 1, as Locust's.
                tasks: userClass.tasks.map { TaskRatioClass.Task($0, weight: settings.taskWeight) })
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
