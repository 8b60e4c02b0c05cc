/// The coordinator protocol's constants: Locust 2.x's wire and timers (see `docs/ARCHITECTURE.md`).
public enum ClusterProtocol {
    /// The SwiftLocust protocol version a slave announces in its heartbeats (the `swiftlocust` key); a
    /// SwiftLocust master refuses other versions. 3: Locust's ZeroMQ/MessagePack wire.
    public static let version = 3
    /// The Locust version a slave sends in `client_ready`: the Locust release whose protocol this is.
    public static let locustVersion = "2.47.0"
    /// Largest message a slave accepts from its master (the plugin file travels in one); a larger
    /// one disconnects the master.
    public static let maxMessageSize = 16 * 1024 * 1024
    /// Largest message the master accepts from any peer, before or after it has proven anything: a
    /// peer sending a larger frame is disconnected by libzmq as soon as the frame's header announces it.
    /// Our slaves cut a larger report into parts (``reportPartLimit``); a Python worker's report of
    /// 50 names is about 20 KB (1 MiB holds about 2,000 names).
    public static let maxMessageToMaster = 1024 * 1024
    /// A slave's report larger than this goes as several `stats` messages whose merge is the report.
    public static let reportPartLimit = 768 * 1024
    /// Connections the master holds that have not sent a whole message yet (in the handshake, or
    /// before their `client_ready`): past this, the oldest is dropped. With ``maxMessageToMaster`` it
    /// bounds what peers that proved nothing can make the master buffer (64 MiB), whatever the settings.
    public static let maxUnprovenConnections = 64
    /// Seconds a connection may stay without a whole message before the master drops it.
    public static let firstMessageTimeout = 10.0
    /// Seconds between heartbeats, both ways (Locust's `HEARTBEAT_INTERVAL`).
    public static let heartbeatInterval = 1.0
    /// Heartbeats a slave may miss before the master marks it missing (Locust's `HEARTBEAT_LIVENESS`).
    public static let heartbeatLiveness = 3
    /// Seconds a missing slave is kept before it is forgotten (Locust's `HEARTBEAT_DEAD_INTERNAL`).
    public static let missingSlaveLifetime = 60.0
    /// Seconds between a slave's statistics reports (Locust's workers: 3; ours report every second, so
    /// that a slave killed outright loses at most one second of requests).
    public static let statsInterval = 1.0
    /// Seconds between a slave's `logs` messages.
    public static let logsInterval = 1.0
    /// Default seconds a slave keeps trying to reach a silent or lost master before it exits.
    public static let defaultMasterTimeout = 60.0
}
