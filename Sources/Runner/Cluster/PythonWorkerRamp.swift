/// A ramp of the Python Locust workers' users, paced the way a Locust master paces it.
///
/// A Python worker starts the whole difference of each `spawn` order at once and ignores the rate in
/// our `swiftlocust` key, so a Locust master (`UsersDispatcher`) paces by sending successive orders with
/// growing absolute counts: `step = max(1, floor(rate))` users at once, then `step` more every
/// `step / rate` seconds, until the target. This value does the same arithmetic for the Python workers'
/// part of a cluster: ``MasterStateMachine`` asks it at every tick of its clock how many of the users
/// to add are due, and sends new orders to the workers whose share grew.
///
/// Decreases are not paced: each worker's ``base`` already holds them (a ramp-down is one order, as our
/// slaves stop at once).
struct PythonWorkerRamp: Sendable, Equatable {
    /// One user to add: to which worker, of which class (an index into the master's classes).
    struct Addition: Sendable, Equatable {
        var worker: String
        var classIndex: Int
    }

    /// Users per class each worker keeps of its last order when the ramp begins.
    let base: [String: [Int]]
    /// The users to add, in the order they are added: each to the worker running fewest at that point
    /// (ties by id), each worker's classes interleaved by ``UserDistribution/spawnOrder(counts:)``.
    let additions: [Addition]
    /// Users added at once, and at each later step.
    let step: Int
    /// Seconds between steps.
    let interval: Double
    /// When the first step went out.
    let startedAt: ContinuousClock.Instant
    /// How many of ``additions`` have been ordered.
    private(set) var added = 0

    /// A ramp from `base` to `final` (per worker id, users per class) at `rate` users per second in
    /// all, starting at `now`. Classes where `final` is below `base` are a worker's business from the
    /// start: `base` is lowered to `final` there.
    init(base: [String: [Int]], final: [String: [Int]], rate: Double, now: ContinuousClock.Instant) {
        var kept: [String: [Int]] = [:]
        var queues: [(worker: String, classes: [Int])] = []
        for id in final.keys.sorted() {
            let target = final[id] ?? []
            let had = base[id] ?? []
            let start = target.indices.map { min(target[$0], $0 < had.count ? had[$0] : 0) }
            kept[id] = start
            let growth = target.indices.map { target[$0] - start[$0] }
            queues.append((id, UserDistribution.spawnOrder(counts: growth)))
        }
        // Water-filling: each round gives one user to every worker with users to come that runs no
        // more than the round's level, so that partial shares stay even (a worker that joined during
        // a ramp catches up first).
        var additions: [Addition] = []
        var totals = queues.map { kept[$0.worker]?.reduce(0, +) ?? 0 }
        var taken = queues.map { _ in 0 }
        var level = totals.min() ?? 0
        var left = queues.reduce(0) { $0 + $1.classes.count }
        additions.reserveCapacity(left)
        while left > 0 {
            for index in queues.indices where taken[index] < queues[index].classes.count && totals[index] <= level {
                additions.append(Addition(worker: queues[index].worker, classIndex: queues[index].classes[taken[index]]))
                taken[index] += 1
                totals[index] += 1
                left -= 1
            }
            level += 1
        }
        let safeRate = rate.isFinite && rate > 0 ? rate : 1
        self.base = kept
        self.additions = additions
        self.step = max(1, Int(min(safeRate, Double(Int32.max)).rounded(.down)))
        self.interval = Double(step) / safeRate
        self.startedAt = now
    }

    /// Whether every user has been ordered.
    var isFinished: Bool { added >= additions.count }

    /// How many additions are due at `now`: `step` at once, `step` more after each `interval`.
    func due(at now: ContinuousClock.Instant) -> Int {
        let elapsed = max(0, Self.seconds(now - startedAt))
        // A tick exactly on a step's time counts it (floating point would put 2.4 / 0.8 just below 3).
        let steps = (elapsed / interval + 1e-9).rounded(.down)
        guard steps < Double(additions.count) else { return additions.count }
        return min(additions.count, step * (Int(steps) + 1))
    }

    /// Each worker's users per class once the first `count` additions are made.
    func counts(adding count: Int) -> [String: [Int]] {
        var result = base
        for addition in additions.prefix(count) { result[addition.worker]?[addition.classIndex] += 1 }
        return result
    }

    /// Orders what is due at `now`; returns each worker's users per class then, or `nil` when nothing
    /// new is due.
    mutating func advance(to now: ContinuousClock.Instant) -> [String: [Int]]? {
        let due = due(at: now)
        guard due > added else { return nil }
        added = due
        return counts(adding: due)
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
