@_spi(Runner) import LocustAPI
import LocustStats

extension TaskRatioClass.Task {
    /// A plugin task (and a set's tasks) as the task-ratio views take it, each weight passed through
    /// `weight` (`--equal-weights` makes every one 1).
    init(_ info: UserClass.TaskInfo, weight: (Int) -> Int = { $0 }) {
        self.init(
            name: info.name, weight: weight(info.weight),
            tasks: info.kind == .task ? nil : info.tasks.map { TaskRatioClass.Task($0, weight: weight) })
    }
}
