internal import Foundation

/// A user class as the runner sees it: metadata for listing, weighting and the master, and a way to run
/// one user through its whole life. Made in the plugin, where the concrete type is known.
@_spi(Runner) public final class UserClass: Sendable {
    /// A task's name, weight and tags, and for a nested set its kind and tasks.
    public struct TaskInfo: Sendable, Hashable {
        /// What a task is.
        public enum Kind: String, Sendable, Hashable {
            /// One piece of work.
            case task
            /// A nested set whose tasks are picked by weight (Locust's `TaskSet`).
            case set
            /// A nested set whose tasks run in order (Locust's `SequentialTaskSet`).
            case sequence
        }

        /// The task's name.
        public let name: String
        /// Its weight among its siblings.
        public let weight: Int
        /// Its tags, sorted (a set's tags are its tasks' too).
        public let tags: [String]
        /// A task, a set or a sequence.
        public let kind: Kind
        /// A set's tasks (empty for a task).
        public let tasks: [TaskInfo]
    }

    /// The class's name.
    public let name: String
    /// Its spawn weight.
    public let weight: Int
    /// The exact number of users it asks for, whatever the others' weights (0: by weight).
    public let fixedCount: Int
    /// Its own host, if any.
    public let host: String?
    /// Its tasks.
    public let tasks: [TaskInfo]
    /// Its wait time.
    public let waitTime: WaitTime
    /// Its HTTP client settings.
    public let httpOptions: HTTPClientOptions
    private let body: @Sendable (UserContext) async -> Void
    private let refilter: @Sendable (TagFilter) -> UserClass?
    private let makeIteration: @Sendable (UserContext) async -> IterationUser?

    /// Wraps a user type.
    public convenience init<U: User>(_ type: U.Type) {
        self.init(type, tasks: U.tasks)
    }

    init<U: User>(_ type: U.Type, tasks: [UserTask<U>]) {
        name = String(describing: type)
        weight = max(0, U.weight)
        fixedCount = max(0, U.fixedCount)
        host = U.host
        self.tasks = tasks.map(\.info)
        waitTime = U.waitTime
        httpOptions = U.httpOptions
        body = { context in
            await context.client.runAsUser { await UserClass.live(U.self, tasks: tasks, context: context) }
        }
        makeIteration = { context in await UserClass.iterationUser(U.self, tasks: tasks, context: context) }
        refilter = { filter in
            guard !filter.isEmpty else { return UserClass(U.self, tasks: U.tasks) }
            let kept = U.tasks.compactMap { $0.filtered(by: filter) }
            return kept.isEmpty ? nil : UserClass(U.self, tasks: kept)
        }
    }

    /// The class with only the tasks that `filter` (`-T`/`-E`) leaves, or nil when none is left (the
    /// class is then not spawned). An empty filter gives the class with all its tasks.
    @_spi(Runner) public func filtered(by filter: TagFilter) -> UserClass? {
        refilter(filter)
    }

    /// Runs one user from `onStart` to `onStop`. Returns when the user stopped.
    @_spi(Runner) public func run(_ context: UserContext) async {
        await body(context)
    }

    /// Makes an open-model instance: the user is created and its `onStart` run now; nil when `onStart`
    /// threw ``StopUser`` (its `onStop` has then run) or the class has no task of weight above 0.
    @_spi(Runner) public func makeIterationUser(_ context: UserContext) async -> IterationUser? {
        await makeIteration(context)
    }

    /// A leaf task of the open model with its place in the cumulative weights (0...1).
    struct Leaf<U: User>: Sendable {
        let location: String
        let name: String
        let run: @concurrent @Sendable (U) async throws -> Void
        let upTo: Double
    }

    /// The leaf tasks of `tasks`, a set's tasks sharing the set's weight by theirs.
    static func leaves<U: User>(_ tasks: [UserTask<U>], path: String, share: Double, equal: Bool, into leaves: inout [(Leaf<U>, Double)]) {
        let kept = tasks.filter { $0.weight > 0 }
        let total = kept.reduce(0) { $0 + (equal ? 1 : $1.weight) }
        guard total > 0 else { return }
        for task in kept {
            let part = share * Double(equal ? 1 : task.weight) / Double(total)
            switch task.body {
            case .run(let run):
                leaves.append((Leaf(location: path, name: task.name, run: run, upTo: 0), part))
            case .set(let set):
                Self.leaves(set.tasks, path: path + "." + task.name, share: part, equal: equal, into: &leaves)
            }
        }
    }

    static func iterationUser<U: User>(_ type: U.Type, tasks: [UserTask<U>], context: UserContext) async -> IterationUser? {
        var weighted: [(Leaf<U>, Double)] = []
        let className = String(describing: type)
        leaves(tasks, path: className, share: 1, equal: context.equalTaskWeights, into: &weighted)
        guard !weighted.isEmpty else { return nil }
        var cumulative = 0.0
        let picks = weighted.map { leaf, part -> Leaf<U> in
            cumulative += part
            return Leaf(location: leaf.location, name: leaf.name, run: leaf.run, upTo: cumulative)
        }
        // nonisolated(unsafe): the instance is used by one task at a time, as in `live`: the runner lends
        // it to one iteration at a time and calls `stop` after the last one ended.
        nonisolated(unsafe) let user = U(context: context)
        do {
            try await user.onStart()
        } catch is StopUser {
            await stopIterationUser(user, context: context, location: className)
            return nil
        } catch {
            report(error, context: context, location: className, "onStart")
        }
        return IterationUser(
            context: context,
            iterate: { pick in
                var index = 0
                while index < picks.count - 1 && picks[index].upTo <= pick { index += 1 }
                let leaf = picks[index]
                var outcome = IterationUser.Outcome.done
                await context.client.runAsUser {
                    do {
                        try await leaf.run(user)
                    } catch is StopUser {
                        outcome = .stopUser
                    } catch is InterruptTaskSet {
                        // Ends the iteration; the next one picks again.
                    } catch {
                        if !context.control.isKilled { report(error, context: context, location: leaf.location, leaf.name) }
                    }
                }
                return outcome
            },
            finish: { await stopIterationUser(user, context: context, location: className) })
    }

    @inline(never)
    static func stopIterationUser<U: User>(_ user: U, context: UserContext, location: String) async {
        // nonisolated(unsafe): called once, after the instance's last iteration (see `iterationUser`).
        nonisolated(unsafe) let user = user
        do {
            try await user.onStop()
        } catch is StopUser {
        } catch {
            report(error, context: context, location: location, "onStop")
        }
    }

    static func live<U: User>(_ type: U.Type, tasks allTasks: [UserTask<U>], context: UserContext) async {
        let user = U(context: context)
        let className = String(describing: type)
        let tasks = allTasks.filter { $0.weight > 0 }
        var cumulative: [Int] = []
        var total = 0
        for task in tasks {
            total += context.equalTaskWeights ? 1 : task.weight
            cumulative.append(total)
        }
        var random = SplitMix64(seed: UInt64(truncatingIfNeeded: context.userID) &* 0x9E37_79B9_7F4A_7C15 ^ MonotonicClock.nanoseconds())
        let control = context.control
        let thread = context.client.thread
        let waitTime = U.waitTime
        var stoppedByUser = false

        do {
            try await user.onStart()
        } catch is StopUser {
            stoppedByUser = true
        } catch {
            report(error, context: context, location: className, "onStart")
        }

        if !stoppedByUser && total > 0 {
            while !control.isStopping {
                let pick = Int(random.next() % UInt64(total))
                var index = 0
                while cumulative[index] <= pick { index += 1 }
                let task = tasks[index]
                let start = waitTime.dependsOnTaskDuration ? MonotonicClock.nanoseconds() : 0
                let round = thread.round
                var skipWait = false
                switch task.body {
                case .run(let run):
                    do {
                        try await run(user)
                    } catch is StopUser {
                        stoppedByUser = true
                    } catch let interrupt as InterruptTaskSet {
                        // Outside a set an interrupt only ends the task.
                        skipWait = interrupt.reschedule
                    } catch {
                        if !control.isKilled { report(error, context: context, location: className, task.name) }
                    }
                case .set(let set):
                    switch await runSet(set, user: user, context: context, path: className + "." + task.name, waitTime: set.waitTime ?? waitTime, random: &random) {
                    case .stopUser: stoppedByUser = true
                    case .interrupted(let reschedule): skipWait = reschedule
                    case .stopping: break
                    }
                }
                if stoppedByUser || control.isStopping { break }
                if skipWait { continue }
                let took = start == 0 ? 0 : Double(MonotonicClock.nanoseconds() - start) / 1_000_000_000
                let delay = waitTime.delay(afterTaskDuration: took, unit: random.nextUnit())
                if delay <= 0 && thread.round != round {
                    // No wait, and the task already gave way to the others (it waited for a response on
                    // the engine thread's loop): no need to yield again.
                    continue
                }
                if !(await control.wait(seconds: delay, on: thread)) { break }
            }
        } else if !stoppedByUser {
            // A class without tasks idles until it is stopped, as in Locust.
            while await control.wait(seconds: 3600, on: context.client.thread) {}
        }

        do {
            try await user.onStop()
        } catch is StopUser {
        } catch {
            report(error, context: context, location: className, "onStop")
        }
    }

    /// How a nested set ended.
    enum SetExit {
        /// A task threw ``StopUser``: the user stops.
        case stopUser
        /// A task threw ``InterruptTaskSet``.
        case interrupted(reschedule: Bool)
        /// The test asked the user to stop.
        case stopping
    }

    /// Runs a nested set from its `onStart` until it is interrupted or the user stops, then its `onStop`.
    // @inline(never): a user that never enters a set keeps its async frame as small as before.
    @inline(never)
    static func runSet<U: User>(
        _ set: UserTaskSet<U>, user: U, context: UserContext, path: String, waitTime: WaitTime, random: inout SplitMix64
    ) async -> SetExit {
        // nonisolated(unsafe): a user instance is used by its own Swift task only, one call at a time
        // (every call here is awaited before the next), as in `live`, which owns it.
        nonisolated(unsafe) let user = user
        let control = context.control
        let thread = context.client.thread
        var exit = SetExit.stopping
        var entered = true
        if let onStart = set.onStart {
            do {
                try await onStart(user)
            } catch is StopUser {
                exit = .stopUser
                entered = false
            } catch let interrupt as InterruptTaskSet {
                exit = .interrupted(reschedule: interrupt.reschedule)
                entered = false
            } catch {
                if !control.isKilled { report(error, context: context, location: path, "onStart") }
            }
        }
        // The order of a sequence (a task of weight n n times), or the cumulative weights of a set.
        let tasks = set.tasks.filter { $0.weight > 0 }
        var order: [Int] = []
        var cumulative: [Int] = []
        var total = 0
        for (index, task) in tasks.enumerated() {
            let weight = context.equalTaskWeights ? 1 : task.weight
            if set.sequential {
                order += Array(repeating: index, count: weight)
            } else {
                total += weight
                cumulative.append(total)
            }
        }
        var next = 0
        while entered && !control.isStopping && !tasks.isEmpty {
            let task: UserTask<U>
            if set.sequential {
                task = tasks[order[next]]
                next = (next + 1) % order.count
            } else {
                let pick = Int(random.next() % UInt64(total))
                var index = 0
                while cumulative[index] <= pick { index += 1 }
                task = tasks[index]
            }
            let start = waitTime.dependsOnTaskDuration ? MonotonicClock.nanoseconds() : 0
            var skipWait = false
            var leave = false
            switch task.body {
            case .run(let run):
                do {
                    try await run(user)
                } catch is StopUser {
                    exit = .stopUser
                    leave = true
                } catch let interrupt as InterruptTaskSet {
                    exit = .interrupted(reschedule: interrupt.reschedule)
                    leave = true
                } catch {
                    if !control.isKilled { report(error, context: context, location: path, task.name) }
                }
            case .set(let inner):
                switch await runSet(inner, user: user, context: context, path: path + "." + task.name, waitTime: inner.waitTime ?? waitTime, random: &random) {
                case .stopUser:
                    exit = .stopUser
                    leave = true
                case .interrupted(let reschedule): skipWait = reschedule
                case .stopping: leave = true
                }
            }
            if leave || control.isStopping { break }
            if skipWait { continue }
            let took = start == 0 ? 0 : Double(MonotonicClock.nanoseconds() - start) / 1_000_000_000
            let delay = waitTime.delay(afterTaskDuration: took, unit: random.nextUnit())
            if !(await control.wait(seconds: delay, on: thread)) { break }
        }
        if let onStop = set.onStop {
            do {
                try await onStop(user)
            } catch is StopUser, is InterruptTaskSet {
            } catch {
                if !control.isKilled { report(error, context: context, location: path, "onStop") }
            }
        }
        return exit
    }

    /// Records an exception that user code threw, unless the user was killed meanwhile.
    // @inline(never): inlined, its string temporaries would take room in `live`'s async frame, which a
    // user keeps for its whole life.
    @inline(never)
    static func report(_ error: any Error, context: UserContext, location className: String, _ member: String) {
        if context.control.isKilled { return }
        context.recorder.recordException(message: describe(error), location: "\(className).\(member)")
    }

    /// An error's type and message, as Locust shows exceptions: `ValueError('bad')`.
    static func describe(_ error: any Error) -> String {
        let type = String(describing: Swift.type(of: error))
        let text = String(describing: error)
        if text == type || text.isEmpty { return type }
        if let localized = error as? LocalizedError, let description = localized.errorDescription {
            return "\(type)(\"\(description)\")"
        }
        return "\(type)(\(text))"
    }
}

/// A small, fast pseudo-random generator for task picks and random waits (one per user).
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A Double in `0..<1`.
    mutating func nextUnit() -> Double {
        Double(next() >> 11) / Double(1 << 53)
    }
}
