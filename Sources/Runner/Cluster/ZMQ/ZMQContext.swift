import CZeroMQ
import Synchronization

/// The process's one libzmq context (its I/O thread and reaper thread), created on first use.
///
/// Every ``ZMQRouter`` and ``ZMQDealer`` opens its sockets in it. `ZMQ_BLOCKY` is off, so a
/// `zmq_ctx_term` (never called: the context lives as long as the process) would not wait on
/// unsent messages; each socket also sets its own `ZMQ_LINGER`.
struct ZMQContext: @unchecked Sendable {  // libzmq contexts are thread-safe; only the pointer is shared.
    /// The `void *` returned by `zmq_ctx_new`.
    let raw: UnsafeMutableRawPointer

    /// Most sockets the context may hold: each router or dealer holds three (its socket, its
    /// monitor's inproc PAIR and the PAIR libzmq binds for the monitor), and a simulator may run
    /// hundreds of dealers in one process (libzmq's default is 1,023).
    static let maxSockets: Int32 = 16_384

    private static let shared: ZMQContext? = {
        guard let raw = zmq_ctx_new() else { return nil }
        _ = zmq_ctx_set(raw, ZMQ_BLOCKY, 0)
        let limit = zmq_ctx_get(raw, ZMQ_SOCKET_LIMIT)
        _ = zmq_ctx_set(raw, ZMQ_MAX_SOCKETS, limit > 0 ? min(limit, maxSockets) : maxSockets)
        return ZMQContext(raw: raw)
    }()

    private static let monitorCount = Atomic<Int>(0)

    /// The shared context; throws if libzmq could not create it (out of file descriptors).
    static func get() throws(ZMQFailure) -> ZMQContext {
        guard let shared else { throw ZMQFailure.last("zmq_ctx_new") }
        return shared
    }

    /// A fresh `inproc://` address for one socket monitor (unique within the process).
    static func nextMonitorAddress() -> String {
        let number = monitorCount.wrappingAdd(1, ordering: .relaxed).newValue
        return "inproc://locust-monitor-\(number)"
    }
}
