import Foundation
import LocustStats

/// One message of the coordinator protocol. On the wire each is a frame: a 4-byte big-endian length,
/// then that many bytes of JSON: `{"type": "...", ...fields}`.
public enum ClusterMessage: Sendable, Equatable {
    // Slave → master.
    /// First frame of a slave: its protocol version, identity and plugin.
    case ready(Ready)
    /// The slave started moving to its target.
    case hatching
    /// The slave reached its target; per-class user counts.
    case hatchComplete(counts: [String: Int])
    /// Statistics since the previous report (a delta, merged exactly by the master).
    case stats(StatsReport)
    /// The slave has stopped its users; its final report was sent before this.
    case stopped
    /// The slave is leaving.
    case quit
    /// The slave's log lines since its last `logs` (for the master's `GET /logs`).
    case logs([String])

    // Master → slave.
    /// The master accepted the slave.
    case accepted(slaveID: String)
    /// The master refused the slave (bad version, other plugin); the connection closes.
    case reject(reason: String)
    /// Run these absolute user counts per class, started at `rate` users/s.
    case hatch(Hatch)
    /// Stop every user (finishing tasks within `stopTimeout` seconds).
    case stop(stopTimeout: Double)

    // Both ways.
    /// "I am alive": a slave adds its state and user count.
    case heartbeat(Heartbeat)

    /// What a slave announces.
    public struct Ready: Codable, Sendable, Equatable {
        public var version: Int
        public var slaveID: String
        public var hostname: String
        public var pluginFingerprint: String
        public var userClasses: [String]

        /// Creates a `ready` body.
        public init(version: Int, slaveID: String, hostname: String, pluginFingerprint: String, userClasses: [String]) {
            self.version = version
            self.slaveID = slaveID
            self.hostname = hostname
            self.pluginFingerprint = pluginFingerprint
            self.userClasses = userClasses
        }
    }

    /// A master's order.
    public struct Hatch: Codable, Sendable, Equatable {
        public var counts: [String: Int]
        public var rate: Double
        public var host: String?
        /// Increases with every order, so late answers to old orders can be told apart.
        public var generation: Int
        /// The master's `--equal-weights`.
        public var equalTaskWeights: Bool?

        /// Creates a `hatch` body.
        public init(counts: [String: Int], rate: Double, host: String?, generation: Int, equalTaskWeights: Bool? = nil) {
            self.counts = counts
            self.rate = rate
            self.host = host
            self.generation = generation
            self.equalTaskWeights = equalTaskWeights
        }
    }

    /// A statistics delta.
    public struct StatsReport: Codable, Sendable, Equatable {
        public var snapshot: StatsSnapshot
        public var userCount: Int

        /// Creates a `stats` body.
        public init(snapshot: StatsSnapshot, userCount: Int) {
            self.snapshot = snapshot
            self.userCount = userCount
        }
    }

    /// A heartbeat; the master's carries no state.
    public struct Heartbeat: Codable, Sendable, Equatable {
        public var state: String
        public var userCount: Int
        /// A slave's CPU use in percent of one core since its previous heartbeat.
        public var cpuUsage: Double?
        /// A slave's resident memory in bytes.
        public var memoryUsage: Int?
        /// How late (ms) a slave's engine woke users in the last second, at worst (its load-collapse signal).
        public var lagMilliseconds: Int?

        /// Creates a `heartbeat` body.
        public init(state: String, userCount: Int, cpuUsage: Double? = nil, memoryUsage: Int? = nil, lagMilliseconds: Int? = nil) {
            self.state = state
            self.userCount = userCount
            self.cpuUsage = cpuUsage
            self.memoryUsage = memoryUsage
            self.lagMilliseconds = lagMilliseconds
        }
    }
}

extension ClusterMessage: Codable {
    private enum CodingKeys: String, CodingKey {
        case type, ready, counts, stats, slaveID, reason, hatch, stopTimeout, heartbeat, lines
    }

    /// The message's `type` field.
    public var typeName: String {
        switch self {
        case .ready: "ready"
        case .hatching: "hatching"
        case .hatchComplete: "hatch_complete"
        case .stats: "stats"
        case .stopped: "stopped"
        case .quit: "quit"
        case .logs: "logs"
        case .accepted: "accepted"
        case .reject: "reject"
        case .hatch: "hatch"
        case .stop: "stop"
        case .heartbeat: "heartbeat"
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let type = try container.decode(String.self, forKey: .type)
        switch type {
        case "ready": self = .ready(try container.decode(Ready.self, forKey: .ready))
        case "hatching": self = .hatching
        case "hatch_complete": self = .hatchComplete(counts: try container.decode([String: Int].self, forKey: .counts))
        case "stats": self = .stats(try container.decode(StatsReport.self, forKey: .stats))
        case "stopped": self = .stopped
        case "quit": self = .quit
        case "logs": self = .logs(try container.decode([String].self, forKey: .lines))
        case "accepted": self = .accepted(slaveID: try container.decode(String.self, forKey: .slaveID))
        case "reject": self = .reject(reason: try container.decode(String.self, forKey: .reason))
        case "hatch": self = .hatch(try container.decode(Hatch.self, forKey: .hatch))
        case "stop": self = .stop(stopTimeout: try container.decode(Double.self, forKey: .stopTimeout))
        case "heartbeat": self = .heartbeat(try container.decode(Heartbeat.self, forKey: .heartbeat))
        default:
            throw DecodingError.dataCorruptedError(forKey: .type, in: container, debugDescription: "unknown message type '\(type)'")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(typeName, forKey: .type)
        switch self {
        case .ready(let ready): try container.encode(ready, forKey: .ready)
        case .hatching, .stopped, .quit: break
        case .hatchComplete(let counts): try container.encode(counts, forKey: .counts)
        case .logs(let lines): try container.encode(lines, forKey: .lines)
        case .stats(let report): try container.encode(report, forKey: .stats)
        case .accepted(let id): try container.encode(id, forKey: .slaveID)
        case .reject(let reason): try container.encode(reason, forKey: .reason)
        case .hatch(let hatch): try container.encode(hatch, forKey: .hatch)
        case .stop(let timeout): try container.encode(timeout, forKey: .stopTimeout)
        case .heartbeat(let heartbeat): try container.encode(heartbeat, forKey: .heartbeat)
        }
    }

    /// The JSON payload of this message's frame.
    public func payload() throws -> Data {
        try JSONEncoder().encode(self)
    }

    /// Decodes a frame's payload.
    public static func decode(_ payload: Data) throws -> ClusterMessage {
        try JSONDecoder().decode(ClusterMessage.self, from: payload)
    }
}
