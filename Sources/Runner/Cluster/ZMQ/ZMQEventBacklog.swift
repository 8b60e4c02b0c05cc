/// Monitor events an engine has read and not handled yet, in order (see
/// ``ZMQSocketEngine/service(limit:)``).
struct ZMQEventBacklog {
    /// The events, oldest first.
    var events: [ZMQMonitorEvent] = []
    /// How many of the first `events` were read before the socket was last found empty: those no
    /// longer wait for a drain.
    var drained = 0
}
