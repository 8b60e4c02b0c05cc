/// An open-model test (`--arrival-rate`, `--arrival-stages`): iterations on a schedule, whatever the
/// server's latency, with at most `maxConcurrency` in flight (an iteration due while that many run is
/// dropped and counted).
public struct ArrivalPlan: Sendable, Equatable {
    /// When iterations are due.
    public var schedule: ArrivalSchedule
    /// The most iterations in flight at once, across classes (`--max-concurrency`).
    public var maxConcurrency: Int

    /// `--max-concurrency`'s default.
    public static let defaultMaxConcurrency = 1000

    /// Creates a plan.
    public init(schedule: ArrivalSchedule, maxConcurrency: Int = defaultMaxConcurrency) {
        self.schedule = schedule
        self.maxConcurrency = maxConcurrency
    }

    /// One line for the log: `constant 100/s` or `stages 30s:100,2m:500 from 0/s`, and the bound.
    public var summary: String {
        let shape: String
        if schedule.stages.isEmpty {
            shape = "a constant \(PythonStyle.number(schedule.startRate)) iterations/s until stopped"
        } else {
            let stages = schedule.stages.map { "\(PythonStyle.number($0.seconds))s:\(PythonStyle.number($0.rate))" }.joined(separator: ",")
            shape = "stages \(stages) from \(PythonStyle.number(schedule.startRate)) iterations/s (\(PythonStyle.number(schedule.totalSeconds ?? 0)) s)"
        }
        return "\(shape), at most \(maxConcurrency) in flight"
    }
}
