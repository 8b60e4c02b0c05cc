/// One worker as `GET /stats/requests` lists it under `workers` on a master.
public struct WorkerJSONRow: Sendable, Equatable {
    /// The worker's id (Locust's form is `hostname_hex`).
    public var id: String
    /// The worker's state as Locust names it: `ready`, `spawning`, `running`, `missing`, …
    public var state: String
    /// The number of users running on the worker.
    public var userCount: Int
    /// The worker's CPU usage in percent.
    public var cpuUsage: Double
    /// The worker's resident memory in bytes.
    public var memoryUsage: Int

    /// Creates a row.
    public init(id: String, state: String, userCount: Int, cpuUsage: Double, memoryUsage: Int) {
        self.id = id
        self.state = state
        self.userCount = userCount
        self.cpuUsage = cpuUsage
        self.memoryUsage = memoryUsage
    }

    /// The states in which Locust counts a worker in `worker_count` (its `ready`, `spawning` and
    /// `running` lists; a `missing` worker is listed but not counted).
    public static let countedStates: Set<String> = ["ready", "spawning", "running"]

    /// Whether Locust counts this worker in `worker_count`.
    public var isCounted: Bool { Self.countedStates.contains(state) }

    /// The JSON object: `id`, `state`, `user_count`, `cpu_usage` (a float) and `memory_usage`.
    public var json: JSONValue {
        .object([
            "id": .string(id), "state": .string(state), "user_count": .int(userCount),
            "cpu_usage": .double(cpuUsage), "memory_usage": .int(memoryUsage),
        ])
    }
}
