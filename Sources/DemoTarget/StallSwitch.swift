import NIOCore
import Synchronization

/// The demo target's stall (`GET /stall?ms=N`): until the moment N ms after that request, every
/// response waits for that moment, as a server frozen by a pause (a GC, a lock) answers everything at
/// once when it resumes. Shared by every connection and thread.
final class StallSwitch: Sendable {
    /// The end of the stall, in `NIODeadline` uptime nanoseconds (0: none yet).
    private let end = Atomic<Int64>(0)

    /// Stalls every response until `milliseconds` from now (a later end wins over an earlier one).
    func stall(milliseconds: Int64) {
        let until = NIODeadline.now().uptimeNanoseconds + UInt64(milliseconds) * 1_000_000
        let value = Int64(clamping: until)
        var current = end.load(ordering: .relaxed)
        while current < value {
            let (exchanged, original) = end.compareExchange(expected: current, desired: value, ordering: .relaxed)
            if exchanged { break }
            current = original
        }
    }

    /// How long a response ready now must wait, nil when no stall is on.
    func remaining() -> TimeAmount? {
        let until = end.load(ordering: .relaxed)
        let now = Int64(clamping: NIODeadline.now().uptimeNanoseconds)
        return until > now ? .nanoseconds(until - now) : nil
    }
}
