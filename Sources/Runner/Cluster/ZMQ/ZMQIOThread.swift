// The threading model of the ZeroMQ transport.
//
// A libzmq socket is not thread-safe, so each ZMQRouter or ZMQDealer owns one dedicated thread that
// alone touches its socket (and the socket's monitor). That thread blocks in `zmq_poll` (timeout -1)
// on three things: the socket (POLLIN), the monitor's PAIR socket (POLLIN) and an eventfd. Callers
// on any thread queue outgoing messages in a Mutex-protected array (ZMQMailbox) and write the
// eventfd; the thread wakes, sends the queue with ZMQ_DONTWAIT (a full peer drops a message rather
// than stalling the thread), receives everything pending until EAGAIN, and calls the user's handler
// on itself. Close and reconnect are requests through the same mailbox.
//
// Why not SwiftNIO's event loops, which run the rest of the runner: NIO has no public API to watch a
// foreign file descriptor, and the one libzmq offers (ZMQ_FD) is edge-triggered, must be re-checked
// with ZMQ_EVENTS after every send or receive, and may only be used from the thread that owns the
// socket. `zmq_poll` on a thread of our own handles all of that correctly and costs one mostly
// sleeping thread per socket (one for a master, one per worker).

import CZeroMQ
import Foundation
import Glibc

/// Starts and runs the I/O thread of one socket (see the comment at the top of this file).
enum ZMQIOThread {
    /// Frames received per wake-up before the thread looks at its mailbox again (fairness between
    /// a flood of input and pending sends).
    static let receiveBudget = 4096

    /// Starts a thread named `name` that builds its engine with `makeEngine` and runs it until a
    /// close is asked for through `mailbox` (or the socket fails), then ends the mailbox.
    static func start<Engine: ZMQSocketEngine>(
        name: String, mailbox: ZMQMailbox<Engine.Item>, logger: RunLogger?,
        makeEngine: @escaping @Sendable () -> Engine
    ) {
        let thread = Thread {
            _ = czmq_set_thread_name(name)
            run(makeEngine(), mailbox: mailbox, logger: logger)
        }
        thread.name = name
        thread.start()
    }

    /// The loop: poll; monitor events and input, in their order (``ZMQSocketEngine/service(limit:)``);
    /// then the mailbox.
    private static func run<Engine: ZMQSocketEngine>(
        _ engine: Engine, mailbox: ZMQMailbox<Engine.Item>, logger: RunLogger?
    ) {
        defer { mailbox.finish() }
        var busy = false
        while true {
            var items = [
                zmq_pollitem_t(socket: engine.socket.raw, fd: 0, events: Int16(ZMQ_POLLIN), revents: 0),
                zmq_pollitem_t(socket: engine.monitor.pair.raw, fd: 0, events: Int16(ZMQ_POLLIN), revents: 0),
                zmq_pollitem_t(socket: nil, fd: mailbox.wakeFD, events: Int16(ZMQ_POLLIN), revents: 0),
            ]
            if zmq_poll(&items, Int32(items.count), busy ? 0 : engine.pollTimeoutMilliseconds()) < 0 {
                let code = zmq_errno()
                if code == EINTR { continue }
                if code == czmq_eterm() {  // the context was terminated: nothing more to do
                    shutDown(engine, linger: .zero, logger: logger)
                    return
                }
                logger?.error("ZeroMQ poll failed: \(ZMQFailure(operation: "zmq_poll", code: code)); closing the socket")
                shutDown(engine, linger: .zero, logger: logger)
                return
            }
            if busy || items[0].revents != 0 || items[1].revents != 0 {
                switch engine.service(limit: receiveBudget) {
                case .idle:
                    busy = false
                case .busy:
                    busy = true
                case .failed(let failure):
                    logger?.error("ZeroMQ receive failed: \(failure); closing the socket")
                    shutDown(engine, linger: .zero, logger: logger)
                    return
                }
            }
            engine.tick()
            let batch = mailbox.take()
            if !batch.items.isEmpty { engine.socket.processCommands() }
            for item in batch.items { engine.send(item) }
            if let linger = batch.close {
                shutDown(engine, linger: linger, logger: logger)
                return
            }
            if batch.reconnect, !engine.reopen() {
                engine.didClose()
                return
            }
        }
    }

    /// Closes the socket with `linger` and waits (at most the linger, plus a margin for libzmq's
    /// reaper) until libzmq has destroyed it, i.e. sent what was queued or given up.
    static func close(socket: ZMQSocket, monitor: ZMQMonitor, linger: Duration, logger: RunLogger?) {
        try? socket.set(ZMQ_LINGER, linger.zmqMilliseconds, "ZMQ_LINGER")
        socket.close()
        if !monitor.finish(within: linger + .seconds(1)) {
            logger?.debug("ZeroMQ socket still lingering after \(linger); not waiting longer")
        }
    }

    private static func shutDown<Engine: ZMQSocketEngine>(_ engine: Engine, linger: Duration, logger: RunLogger?) {
        close(socket: engine.socket, monitor: engine.monitor, linger: engine.linger(forClose: linger), logger: logger)
        engine.didClose()
    }
}
