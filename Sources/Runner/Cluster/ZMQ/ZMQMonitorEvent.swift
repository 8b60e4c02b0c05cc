import CZeroMQ

/// One event of a socket monitor (libzmq's version-1 format): two frames, the event number and its
/// value (6 bytes), then the endpoint it concerns.
struct ZMQMonitorEvent: Sendable, Equatable {
    /// `ZMQ_EVENT_ACCEPTED`, `ZMQ_EVENT_DISCONNECTED`, `ZMQ_EVENT_HANDSHAKE_SUCCEEDED`, ...
    var event: Int32
    /// The connection's file descriptor for ACCEPTED, CONNECTED and DISCONNECTED; an error number
    /// for the HANDSHAKE_FAILED events.
    var value: UInt32
    /// The endpoint: the bound address for a listener's events (`tcp://127.0.0.1:5557`), the
    /// connected one for a connecter's.
    var endpoint: String

    /// The value as a file descriptor.
    var fd: Int32 { Int32(bitPattern: value) }

    /// Parses the two frames of an event; nil if they are not one.
    init?(header: [UInt8], endpoint: [UInt8]) {
        var event: UInt16 = 0
        var value: UInt32 = 0
        // Safe: the shim reads exactly 6 bytes, after checking the size it is given.
        let rc = header.withUnsafeBytes { czmq_monitor_event_header($0.baseAddress, $0.count, &event, &value) }
        guard rc == 0 else { return nil }
        self.event = Int32(event)
        self.value = value
        self.endpoint = String(decoding: endpoint, as: UTF8.self)
    }

    /// A short name for logs ("accepted", "disconnected", ...).
    var name: String {
        switch event {
        case ZMQ_EVENT_CONNECTED: "connected"
        case ZMQ_EVENT_ACCEPTED: "accepted"
        case ZMQ_EVENT_DISCONNECTED: "disconnected"
        case ZMQ_EVENT_HANDSHAKE_SUCCEEDED: "handshake succeeded"
        case ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL: "handshake failed"
        case ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL: "handshake failed (protocol error)"
        case ZMQ_EVENT_HANDSHAKE_FAILED_AUTH: "handshake failed (authentication)"
        case ZMQ_EVENT_MONITOR_STOPPED: "monitor stopped"
        default: "event \(event)"
        }
    }
}
