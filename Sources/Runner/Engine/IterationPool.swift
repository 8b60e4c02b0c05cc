/// The open model's instances and its bound (`--max-concurrency`), as a value: which instance an
/// iteration runs on, or that it is dropped. Generic over the instance so that the tests need no user.
struct IterationPool<Instance>: Sendable where Instance: Sendable {
    /// What an iteration due now gets.
    enum Grant {
        /// An idle instance of its class.
        case reuse(Instance)
        /// No idle instance of its class: make one (it counts as in flight already).
        case create
        /// `maxConcurrency` iterations are in flight: the iteration is dropped.
        case drop
    }

    /// The bound; a slave's new share may change it (iterations in flight above it finish).
    var maxConcurrency: Int {
        didSet { maxConcurrency = max(1, maxConcurrency) }
    }
    /// Idle instances per class.
    private var idle: [[Instance]]
    /// Iterations in flight (instances lent, or being made).
    private(set) var inFlight = 0
    /// Every instance made and not retired, idle or lent (what a stop must run `onStop` on).
    private(set) var instanceCount = 0

    init(classCount: Int, maxConcurrency: Int) {
        self.maxConcurrency = max(1, maxConcurrency)
        idle = Array(repeating: [], count: classCount)
    }

    /// An instance for an iteration of class `classIndex`, or `.create`, or `.drop` at the bound.
    mutating func acquire(classIndex: Int) -> Grant {
        guard inFlight < maxConcurrency else { return .drop }
        inFlight += 1
        if let instance = idle[classIndex].popLast() { return .reuse(instance) }
        instanceCount += 1
        return .create
    }

    /// An iteration ended on `instance` (nil: the instance could not be made); `retire` when it must
    /// not be lent again (it threw `StopUser`, or the test is stopping).
    mutating func release(_ instance: Instance?, classIndex: Int, retire: Bool) {
        inFlight -= 1
        if let instance, !retire {
            idle[classIndex].append(instance)
        } else {
            instanceCount -= 1
        }
    }

    /// Takes every idle instance out (a stop), in class order.
    mutating func takeIdle() -> [Instance] {
        let all = idle.flatMap { $0 }
        instanceCount -= all.count
        idle = idle.map { _ in [] }
        return all
    }
}
