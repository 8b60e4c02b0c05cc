import LocustStats
import MessagePack

/// One message of the coordinator protocol, which is Locust 2.x's: on the wire each is one ZeroMQ
/// frame holding the MessagePack triple `(type, data, node_id)` (see ``ClusterMessageCodec``). The
/// cases and their fields are Locust's; what only SwiftLocust peers use rides in a `swiftlocust` key
/// that Locust ignores (heartbeats, statistics, spawn orders), or in one message type of ours
/// (`swiftlocust_reject`, `swiftlocust_hook_failed`), sent only to peers that announced themselves as SwiftLocust.
public enum ClusterMessage: Sendable, Equatable {
    // Worker → master.
    /// `client_ready`: the worker's Locust version (ours says ``ClusterProtocol/locustVersion``).
    case clientReady(version: String)
    /// `heartbeat`: state, CPU and memory; SwiftLocust slaves add who they are (``WorkerHeartbeat``).
    case heartbeat(WorkerHeartbeat)
    /// `stats`: a statistics delta.
    case stats(StatsReport)
    /// `spawning`: a spawn order arrived.
    case spawning
    /// `spawning_complete`: the worker reached its order; its per-class and total user counts.
    case spawningComplete(counts: [String: Int], userCount: Int)
    /// `client_stopped`: the worker stopped its users (its last statistics went before this).
    case clientStopped
    /// `exception`: user code raised (Python workers send one per occurrence).
    case exception(message: String, traceback: String)
    /// `logs`: the worker's log lines.
    case logs(workerID: String, lines: [String])
    /// `swiftlocust_hook_failed`: the plugin's test_start hook threw on this slave (its message); the
    /// master stops the test. Sent only to a SwiftLocust master.
    case hookFailed(message: String)
    /// `locustfile`: a worker started with `-f -` asks for the master's plugin (Locust's `{version}`,
    /// from a temporary id `host_download_locustfile_<hex>`).
    case pluginRequest(version: String)

    // Master → worker.
    /// `ack`: the master took the worker's `client_ready`; its index among the workers. A SwiftLocust
    /// master adds `exactReports` (in its extension key, which Locust's workers ignore): it reads only the
    /// exact part of a slave's reports, so the slave leaves Locust's part out.
    case ack(index: Int, exactReports: Bool = false)
    /// `spawn`: run these absolute per-class counts.
    case spawn(Spawn)
    /// `spawning_complete` from the master: every worker reached its order; the cluster's user count.
    case masterSpawningComplete(userCount: Int)
    /// `stop`: stop every user.
    case stop
    /// `heartbeat` from the master (no data).
    case masterHeartbeat
    /// `reconnect`: rebuild the connection (Locust sends it after a corrupt frame).
    case reconnect
    /// `swiftlocust_reject`: the master refuses this SwiftLocust slave (another plugin, another protocol).
    case reject(reason: String)
    /// `locustfile`: the master's plugin (`{locustfiles: [{filename, contents}]}`, contents as bytes,
    /// plus its SHA-256 in `swiftlocust`), or why it sends none (`{error}`).
    case plugin(PluginFile)
    /// `update_user_class`: a user class was edited in a Locust master's web UI (sent to every worker).
    case updateUserClass(UserClassUpdate)

    // Both ways.
    /// `quit`: the sender is leaving / the receiver must exit.
    case quit
    /// A type this side does not handle (a custom message of a locustfile, …).
    case other(type: String)

    /// The message's type on the wire.
    public var typeName: String {
        switch self {
        case .clientReady: "client_ready"
        case .heartbeat, .masterHeartbeat: "heartbeat"
        case .stats: "stats"
        case .spawning: "spawning"
        case .spawningComplete, .masterSpawningComplete: "spawning_complete"
        case .clientStopped: "client_stopped"
        case .exception: "exception"
        case .logs: "logs"
        case .hookFailed: "swiftlocust_hook_failed"
        case .pluginRequest, .plugin: "locustfile"
        case .ack: "ack"
        case .spawn: "spawn"
        case .stop: "stop"
        case .reconnect: "reconnect"
        case .reject: "swiftlocust_reject"
        case .updateUserClass: "update_user_class"
        case .quit: "quit"
        case .other(let type): type
        }
    }

    /// A worker's heartbeat.
    public struct WorkerHeartbeat: Sendable, Equatable {
        /// Locust's state name (`ready`, `spawning`, `running`, `cleanup`, `stopping`, `stopped`).
        public var state: String
        /// CPU use in percent of one core since the previous heartbeat.
        public var cpuUsage: Double
        /// Resident memory in bytes.
        public var memoryUsage: Int
        /// What a SwiftLocust slave adds; `nil` from a Python Locust worker.
        public var slave: SlaveInfo?

        /// Creates a heartbeat.
        public init(state: String, cpuUsage: Double, memoryUsage: Int, slave: SlaveInfo? = nil) {
            self.state = state
            self.cpuUsage = cpuUsage
            self.memoryUsage = memoryUsage
            self.slave = slave
        }
    }

    /// Who a SwiftLocust slave is, in every heartbeat (`swiftlocust` key): a master admits it to the
    /// test only once the protocol, the classes and the plugin build match its own.
    public struct SlaveInfo: Sendable, Equatable {
        /// ``ClusterProtocol/version`` of the slave.
        public var protocolVersion: Int
        /// The plugin's fingerprint.
        public var pluginFingerprint: String
        /// The plugin's user classes, in order.
        public var userClasses: [String]
        /// The slave's host name.
        public var hostname: String
        /// Users alive now.
        public var userCount: Int
        /// How late (ms) the slave's engine woke users in the last second, at worst.
        public var lagMilliseconds: Int

        /// Creates the slave's description.
        public init(protocolVersion: Int, pluginFingerprint: String, userClasses: [String], hostname: String, userCount: Int, lagMilliseconds: Int) {
            self.protocolVersion = protocolVersion
            self.pluginFingerprint = pluginFingerprint
            self.userClasses = userClasses
            self.hostname = hostname
            self.userCount = userCount
            self.lagMilliseconds = lagMilliseconds
        }
    }

    /// A master's order.
    public struct Spawn: Sendable, Equatable {
        /// Wall-clock seconds; a worker drops an order not newer than the last it took.
        public var timestamp: Double
        /// Absolute users per class for this worker.
        public var counts: [String: Int]
        /// The target host (`nil`: the classes' own).
        public var host: String?
        /// Seconds a stopping user may finish its task.
        public var stopTimeout: Double
        /// What a SwiftLocust master adds (`swiftlocust` key); `nil` from a Locust master.
        public var order: SpawnOrder?
        /// The master's `-T/--tags` (`parsed_options.tags`; nil: not given).
        public var tags: [String]?
        /// The master's `-E/--exclude-tags` (`parsed_options.exclude_tags`; nil: not given).
        public var excludeTags: [String]?
        /// The rest of `parsed_options`: the scenario's own options from our master; a Locust master's
        /// whole namespace (a slave takes the names its plugin declares).
        public var options: [String: MessagePackValue]

        /// Creates an order.
        public init(
            timestamp: Double, counts: [String: Int], host: String?, stopTimeout: Double, order: SpawnOrder? = nil,
            tags: [String]? = nil, excludeTags: [String]? = nil, options: [String: MessagePackValue] = [:]
        ) {
            self.timestamp = timestamp
            self.counts = counts
            self.host = host
            self.stopTimeout = stopTimeout
            self.order = order
            self.tags = tags
            self.excludeTags = excludeTags
            self.options = options
        }
    }

    /// A plugin sent by the master, or its refusal.
    public struct PluginFile: Sendable, Equatable {
        /// The file's name (`libShop.so`).
        public var filename: String
        /// Its bytes; empty with an error.
        public var contents: [UInt8]
        /// SHA-256 of the bytes, in hex (the plugin's fingerprint).
        public var fingerprint: String
        /// Why the master sends no plugin, or nil.
        public var error: String?

        /// Creates a file (or, with `error`, a refusal).
        public init(filename: String, contents: [UInt8], fingerprint: String, error: String? = nil) {
            self.filename = filename
            self.contents = contents
            self.fingerprint = fingerprint
            self.error = error
        }
    }

    /// A SwiftLocust master's additions to `spawn`.
    public struct SpawnOrder: Sendable, Equatable {
        /// The test the order belongs to; the slave's statistics name it.
        public var test: String
        /// Users per second to start at (stopping is immediate). A Locust master paces by sending
        /// several orders instead, and a worker starts each difference at once.
        public var rate: Double
        /// `--equal-weights` of the master.
        public var equalTaskWeights: Bool
        /// An open-model test: this slave's share of the schedule (no users; the order's classes are
        /// the test's, picked by their weights).
        public var arrival: ArrivalOrder?

        /// Creates the additions.
        public init(test: String, rate: Double, equalTaskWeights: Bool, arrival: ArrivalOrder? = nil) {
            self.test = test
            self.rate = rate
            self.equalTaskWeights = equalTaskWeights
            self.arrival = arrival
        }
    }

    /// A slave's share of an open-model test (`swiftlocust.arrival` of `spawn`): its rates (the master's
    /// times its share), its part of `--max-concurrency`, and how far into the schedule the test is, so
    /// that a slave joining late (or given a new share) goes on from there on its own clock.
    public struct ArrivalOrder: Sendable, Equatable {
        /// This slave's schedule.
        public var schedule: ArrivalSchedule
        /// Its bound on iterations in flight.
        public var maxConcurrency: Int
        /// Seconds of the schedule past when the order was sent.
        public var elapsed: Double

        /// Creates a share.
        public init(schedule: ArrivalSchedule, maxConcurrency: Int, elapsed: Double) {
            self.schedule = schedule
            self.maxConcurrency = maxConcurrency
            self.elapsed = elapsed
        }
    }

    /// What a Locust master's web UI changed in a user class (`POST /user`, `Environment.update_user_class`):
    /// a Locust worker sets each key as an attribute of the class, and keeps only the named tasks.
    public struct UserClassUpdate: Sendable, Equatable {
        /// `user_class_name`.
        public var className: String
        /// `host`; `nil` when absent or None (the UI sends None for a class without a host of its own).
        public var host: String?
        /// `weight`, when sent.
        public var weight: Int?
        /// `fixed_count`, when sent.
        public var fixedCount: Int?
        /// `tasks`: the names of the tasks to keep, when sent.
        public var tasks: [String]?
        /// Any other attribute the master set (Locust's endpoint takes any key), by name, sorted; not
        /// encoded.
        public var otherKeys: [String]

        /// Creates an update.
        public init(className: String, host: String? = nil, weight: Int? = nil, fixedCount: Int? = nil, tasks: [String]? = nil, otherKeys: [String] = []) {
            self.className = className
            self.host = host
            self.weight = weight
            self.fixedCount = fixedCount
            self.tasks = tasks
            self.otherKeys = otherKeys
        }
    }

    /// A statistics delta.
    public struct StatsReport: Sendable, Equatable {
        /// The requests since the previous report.
        public var snapshot: StatsSnapshot
        /// Users alive at the report.
        public var userCount: Int
        /// Users alive per class.
        public var userClassesCount: [String: Int]
        /// The test (``SpawnOrder/test``) the delta belongs to; `nil` from Python workers and before
        /// any order of a SwiftLocust master.
        public var test: String?
        /// Whether `snapshot` is exact (a SwiftLocust slave's histograms) rather than rebuilt from
        /// Locust's rounded buckets (a Python worker's).
        public var exact: Bool
        /// Whether the frame carries Locust's own `stats`, `stats_total` and `errors` beside the exact
        /// part: always for a Locust master; not for a SwiftLocust master, which says in its `ack` that it
        /// reads only the exact part (half the bytes, and neither side walks Locust's buckets).
        public var includesLocustPart: Bool

        /// Creates a report.
        public init(
            snapshot: StatsSnapshot, userCount: Int, userClassesCount: [String: Int], test: String?, exact: Bool = true,
            includesLocustPart: Bool = true
        ) {
            self.snapshot = snapshot
            self.userCount = userCount
            self.userClassesCount = userClassesCount
            self.test = test
            self.exact = exact
            self.includesLocustPart = includesLocustPart || !exact
        }
    }
}
