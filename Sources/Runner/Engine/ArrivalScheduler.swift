/// The open model's clock arithmetic, apart from any real clock (the tests give it the times): iteration
/// `k` is due at `start + schedule.time(ofIteration: k)` on the monotonic clock, so deadlines never drift
/// however late the wake-ups are; a late wake-up takes every iteration due by then, each with its own
/// intended start, so the lateness is measured, not lost.
struct ArrivalScheduler: Sendable {
    let schedule: ArrivalSchedule
    /// The test's start, monotonic nanoseconds.
    let start: UInt64
    /// The next iteration's number.
    private(set) var next = 0
    /// The most iterations one ``takeDue(now:)`` returns, so that a dispatcher far behind still yields.
    static let maxPerRound = 4096

    /// A scheduler whose schedule began at `start`; `elapsed` seconds of it are already past at `start`
    /// (a slave joining a running test): its iterations due before then are not run.
    init(schedule: ArrivalSchedule, start: UInt64, elapsed: Double = 0) {
        self.schedule = schedule
        let offset = UInt64(max(0, min(elapsed, 1e9)) * 1_000_000_000)
        self.start = start >= offset ? start - offset : 0
        next = schedule.firstIteration(atOrAfter: elapsed)
    }

    /// When the next iteration is due (monotonic nanoseconds), nil once the schedule is over.
    func nextDeadline() -> UInt64? {
        deadline(of: next)
    }

    private func deadline(of iteration: Int) -> UInt64? {
        guard let seconds = schedule.time(ofIteration: iteration) else { return nil }
        let nanos = seconds * 1_000_000_000
        guard nanos.isFinite, nanos < Double(UInt64.max - start) else { return nil }
        return start + UInt64(nanos)
    }

    /// Takes the iterations due at `now` (at most ``maxPerRound``): their intended starts, in order.
    mutating func takeDue(now: UInt64) -> [UInt64] {
        var due: [UInt64] = []
        while due.count < Self.maxPerRound, let deadline = deadline(of: next), deadline <= now {
            due.append(deadline)
            next += 1
        }
        return due
    }
}
