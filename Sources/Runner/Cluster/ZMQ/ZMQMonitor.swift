import CZeroMQ
import Glibc

/// A socket's monitor: libzmq publishes the socket's connection events (`zmq_socket_monitor`) on an
/// inproc PAIR socket of its own, and this PAIR socket, connected to it, reads them. Used by the
/// socket's I/O thread only, like the socket.
///
/// The order of teardown matters. libzmq sends events with a blocking send, from its own I/O and
/// reaper threads: if this end were closed while the watched socket still exists, the next event
/// would block those threads for good. So the watched socket is closed first and this end waits for
/// `ZMQ_EVENT_MONITOR_STOPPED` (sent when the socket is finally destroyed, after its linger)
/// before it closes; an unwatched socket is detached with `zmq_socket_monitor(socket, NULL, 0)`.
/// This end's `ZMQ_RCVHWM` is 0 (unbounded), so a busy I/O thread never makes libzmq's block.
struct ZMQMonitor: Sendable {
    /// Our end, a ZMQ_PAIR socket.
    let pair: ZMQSocket

    /// Starts monitoring `socket` for `events` (plus MONITOR_STOPPED) and connects the reading end.
    /// Call before the socket binds or connects, so that no event is missed.
    static func attach(to socket: ZMQSocket, events: Int32) throws(ZMQFailure) -> ZMQMonitor {
        let address = ZMQContext.nextMonitorAddress()
        guard zmq_socket_monitor(socket.raw, address, events | ZMQ_EVENT_MONITOR_STOPPED) == 0 else {
            throw ZMQFailure.last("zmq_socket_monitor")
        }
        do throws(ZMQFailure) {
            let pair = try ZMQSocket.open(type: ZMQ_PAIR)
            do throws(ZMQFailure) {
                try pair.set(ZMQ_LINGER, 0, "ZMQ_LINGER")
                try pair.set(ZMQ_RCVHWM, 0, "ZMQ_RCVHWM")
                try pair.connect(address)
            } catch {
                pair.close()
                throw error
            }
            return ZMQMonitor(pair: pair)
        } catch {
            _ = zmq_socket_monitor(socket.raw, nil, 0)
            throw error
        }
    }

    /// Every event pending now (non-blocking).
    func readEvents() -> [ZMQMonitorEvent] {
        var events: [ZMQMonitorEvent] = []
        var parts: [[UInt8]] = []
        while true {
            switch pair.receive() {
            case .frame(let frame):
                parts.append(frame.bytes)
                guard !frame.more else { continue }
                if parts.count == 2, let event = ZMQMonitorEvent(header: parts[0], endpoint: parts[1]) {
                    events.append(event)
                }
                parts = []
            case .interrupted:
                continue
            case .nothing, .failed:
                return events
            }
        }
    }

    /// After `zmq_close` of the watched socket: waits at most `timeout` for MONITOR_STOPPED
    /// (other events are discarded), then closes this end. If it does not come, this end is left
    /// open (a few bytes, rather than risking libzmq's threads) and false is returned.
    @discardableResult
    func finish(within timeout: Duration) -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        while true {
            if readEvents().contains(where: { $0.event == ZMQ_EVENT_MONITOR_STOPPED }) {
                pair.close()
                return true
            }
            let left = deadline - clock.now
            guard left > .zero else { return false }
            var item = zmq_pollitem_t(socket: pair.raw, fd: 0, events: Int16(ZMQ_POLLIN), revents: 0)
            if zmq_poll(&item, 1, Int(max(1, left.zmqMilliseconds))) < 0, zmq_errno() != EINTR {
                return false
            }
        }
    }

    /// Stops monitoring `socket`, which is still open (a socket that failed to bind), and closes
    /// this end.
    func detach(from socket: ZMQSocket) {
        _ = zmq_socket_monitor(socket.raw, nil, 0)
        pair.close()
    }
}
