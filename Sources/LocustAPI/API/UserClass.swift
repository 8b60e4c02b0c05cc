internal import Foundation

/// A user class as the runner sees it: metadata for listing, weighting and the master, and a way to run
/// one user through its whole life. Made in the plugin, where the concrete type is known.
public final class UserClass: Sendable {
    /// A task's name and weight.
    public struct TaskInfo: Sendable, Hashable, Codable {
        /// The task's name.
        public let name: String
        /// Its weight among the class's tasks.
        public let weight: Int
    }

    /// The class's name.
    public let name: String
    /// Its spawn weight.
    public let weight: Int
    /// Its own host, if any.
    public let host: String?
    /// Its tasks.
    public let tasks: [TaskInfo]
    /// Its wait time.
    public let waitTime: WaitTime
    /// Its HTTP client settings.
    public let httpOptions: HTTPClientOptions
    private let body: @Sendable (UserContext) async -> Void

    /// Wraps a user type.
    public init<U: User>(_ type: U.Type) {
        name = String(describing: type)
        weight = max(0, U.weight)
        host = U.host
        tasks = U.tasks.map { TaskInfo(name: $0.name, weight: $0.weight) }
        waitTime = U.waitTime
        httpOptions = U.httpOptions
        body = { context in
            await context.client.runAsUser { await UserClass.live(U.self, context: context) }
        }
    }

    /// Runs one user from `onStart` to `onStop`. Returns when the user stopped.
    public func run(_ context: UserContext) async {
        await body(context)
    }

    /// Starts one user on its engine thread and returns the task that runs it.
    public func spawn(_ context: UserContext) -> Task<Void, Never> {
        Task(executorPreference: context.client.thread) { [self] in
            await self.run(context)
        }
    }

    static func live<U: User>(_ type: U.Type, context: UserContext) async {
        let user = U(context: context)
        let className = String(describing: type)
        let tasks = U.tasks.filter { $0.weight > 0 }
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
                do {
                    try await task.run(user)
                } catch is StopUser {
                    break
                } catch {
                    if control.isKilled { break }
                    report(error, context: context, location: className, task.name)
                }
                if control.isStopping { break }
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
