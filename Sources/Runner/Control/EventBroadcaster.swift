import Synchronization

/// Hands every event to every subscriber, in the order published (one `AsyncStream` each).
public final class EventBroadcaster: Sendable {
    private struct Subscribers {
        var next = 0
        var continuations: [Int: AsyncStream<ControllerEvent>.Continuation] = [:]
    }

    private let subscribers = Mutex(Subscribers())

    /// Creates a broadcaster with no subscribers.
    public init() {}

    /// A stream of the events published from now on; it ends when the consumer stops iterating.
    public func subscribe() -> AsyncStream<ControllerEvent> {
        let (stream, continuation) = AsyncStream.makeStream(of: ControllerEvent.self)
        let id = subscribers.withLock { subscribers in
            subscribers.next += 1
            subscribers.continuations[subscribers.next] = continuation
            return subscribers.next
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.subscribers.withLock { $0.continuations.removeValue(forKey: id) }
        }
        return stream
    }

    /// Publishes `event` to every current subscriber.
    public func publish(_ event: ControllerEvent) {
        let continuations = subscribers.withLock { Array($0.continuations.values) }
        for continuation in continuations { continuation.yield(event) }
    }
}
