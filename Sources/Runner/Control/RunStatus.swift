import Foundation
import LocustStats

/// What a controller shows of itself at one moment: the web UI's header and `GET /stats/requests`'s
/// top-level keys.
public struct RunStatus: Sendable, Equatable {
    /// The test's state.
    public var state: RunState
    /// Users running now (reported by slaves on a master).
    public var userCount: Int
    /// Users the current (or last) test asked for.
    public var targetUsers: Int
    /// The spawn rate of the current (or last) test.
    public var spawnRate: Double
    /// The host the users target: the test's, else `--host`; nil when each class uses its own.
    public var host: String?
    /// The classes of the current (or last) test.
    public var userClasses: [String]
    /// Tests started in this process (0 before the first).
    public var testIndex: Int
    /// The slaves, on a master (empty standalone).
    public var workers: [WorkerStatus]

    /// Slaves that count for Locust's `worker_count` (ready, spawning or running): the same rule as
    /// `GET /stats/requests` uses, so `/worker-count`, the page and `/metrics` agree with it.
    public var workerCount: Int { workers.filter { WorkerJSONRow.countedStates.contains($0.state.locustName) }.count }
}

/// One slave as the master sees it.
public struct WorkerStatus: Sendable, Equatable {
    /// Its id (`hostname_hex`).
    public var id: String
    /// The host name it announced.
    public var hostname: String
    /// Its state.
    public var state: RunState
    /// Users it runs.
    public var userCount: Int
    /// CPU use of its process in percent of one core, from its last heartbeat.
    public var cpuUsage: Double
    /// Resident memory of its process in bytes, from its last heartbeat.
    public var memoryUsage: Int
    /// When its last heartbeat arrived (seconds since 1970).
    public var lastHeartbeat: Double
    /// How late its engine woke users in its last second (ms); hundreds mean it is overloaded.
    public var lagMilliseconds: Int = 0
    /// A Python Locust worker (not a SwiftLocust slave): it cannot run the open model.
    public var isLocustWorker = false
}
