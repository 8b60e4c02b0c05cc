/// The master/slave coordinator protocol's constants (Locust's timers, see `docs/ARCHITECTURE.md`).
public enum ClusterProtocol {
    /// The protocol version a slave announces in `ready`; the master refuses other versions (2: heartbeats
    /// carry CPU and memory, slaves forward their log lines).
    public static let version = 2
    /// Largest accepted frame payload; a larger length prefix closes the connection.
    public static let maxFrameLength = 16 * 1024 * 1024
    /// Seconds between heartbeats, both ways.
    public static let heartbeatInterval = 1.0
    /// Heartbeats a slave may miss before the master marks it missing.
    public static let heartbeatLiveness = 3
    /// Seconds between a slave's statistics reports.
    public static let statsInterval = 3.0
    /// Seconds a new connection has to send `ready` before it is closed.
    public static let readyTimeout = 5.0
    /// Default seconds a slave keeps trying to reach a silent or lost master before it exits.
    public static let defaultMasterTimeout = 60.0
}
