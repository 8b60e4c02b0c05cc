internal import CCurl
internal import Foundation
import Synchronization

/// One event-loop thread of the HTTP engine.
///
/// It is at once a Swift `TaskExecutor` and the driver of its connection groups (libcurl multi handles,
/// driven through `curl_multi_socket_action` and one epoll set): the users pinned to it run their Swift
/// code on it, and the transfers they start are added to their group's multi handle from the same
/// thread. A response resumes its user's continuation on the thread that received it, so a request
/// costs no thread hop and no lock on the hot path. Work from other threads (timers, spawns, stops)
/// arrives through a locked inbox and an eventfd.
public final class EngineThread: TaskExecutor, @unchecked Sendable {
    // @unchecked Sendable: `localJobs`, `spareJobs`, `pool`, `active`, `groups`, `timers` and the poller's
    // sockets are touched only on this engine's own thread (checked by `isCurrent`); other threads go
    // through the `inbox` and `slots` Mutexes and the poller's eventfd.

    enum Command {
        case start(PendingRequest)
        case cancelAll(ObjectIdentifier)
        case timer(TimerHeap.Entry)
        case resetOnClose(DispatchSemaphore)
    }

    struct Inbox {
        var jobs: [UnownedJob] = []
        var commands: [Command] = []
        var isEmpty: Bool { jobs.isEmpty && commands.isEmpty }
    }

    /// The index of this thread in its engine.
    public let index: Int
    private let poller = EventPoller()
    private let inbox = Mutex<Inbox>(Inbox())
    private let slots = Mutex<ConnectionSlot.Allocator>(ConnectionSlot.Allocator())
    // @exclusivity(unchecked) on the loop's own state: touched only on this thread (see above), and
    // no access to one of them ever spans a call that could reach the same one.
    @exclusivity(unchecked) private var groups: [ConnectionGroup] = []
    @exclusivity(unchecked) private var localJobs: [UnownedJob] = []
    @exclusivity(unchecked) private var spareJobs: [UnownedJob] = []
    @exclusivity(unchecked) private var pool: [CurlTransfer] = []
    @exclusivity(unchecked) private var active: [CurlTransfer] = []
    private var timers = TimerHeap()
    /// Requests held back while the thread is behind (see `begin`), oldest first from `heldHead`.
    @exclusivity(unchecked) private var held: [PendingRequest] = []
    private var heldHead = 0
    /// True while the thread is behind: its last round of work took more than `busyRound`, or it woke
    /// users more than `lateTimer` after their time.
    private var behind = false
    /// The latest this thread woke a user past its time since the runner last asked (ns); written only
    /// in rounds that were late, so the loop's usual round costs nothing more.
    private let worstLateness = Atomic<UInt64>(0)
    private var roundStart: UInt64 = 0
    private static let busyRound: UInt64 = 10_000_000
    private static let lateTimer: UInt64 = 20_000_000
    /// While behind, new transfers start only when fewer than this many are in flight.
    private static let inFlightWhileBehind = 128
    /// The most transfers in flight since the pool was last trimmed, and when that was.
    private var peakActive = 0
    private var lastTrim: UInt64 = 0
    private var ownThread: pthread_t = pthread_t()
    /// A recent reading of the monotonic clock, taken before each batch of work that may start
    /// transfers: their start time, from which their timeout runs.
    private var clock: UInt64 = 0
    /// No transfer in flight times out before this (monotonic ns); may be early, never late.
    private var nextExpiry: UInt64 = .max
    /// Counts the rounds of the loop; only the engine thread writes it.
    private let rounds = Atomic<UInt64>(0)

    /// The loop's round number. A user that reads two different values before and after its task has
    /// been suspended in between, so it already gave way to the thread's other users.
    var round: UInt64 { rounds.load(ordering: .relaxed) }

    init(index: Int) {
        self.index = index
        localJobs.reserveCapacity(1024)
        spareJobs.reserveCapacity(1024)
        // The kernel's name of the thread (`top -H`, `perf`): Foundation's `Thread.name` does not reach it on
        // Linux, where a new thread inherits its creator's (a Swift concurrency worker's) name. At most 15
        // bytes: "locust-eng-" and up to 4 digits.
        let kernelName = "locust-eng-\(index % 10_000)"
        let started = DispatchSemaphore(value: 0)
        // The thread records its own id before signalling: the wait below orders that write before
        // any use from other threads.
        let thread = Thread { [self] in
            self.ownThread = pthread_self()
            _ = locust_set_thread_name(kernelName)
            started.signal()
            self.run()
        }
        thread.name = "locust-engine-\(index)"
        thread.stackSize = 1 << 20
        thread.start()
        started.wait()
    }

    /// True when the caller runs on this engine thread.
    @inline(__always)
    var isCurrent: Bool { pthread_equal(pthread_self(), ownThread) != 0 }

    /// A place for a new user's connections; give it back with ``releaseSlot(place:)``.
    func allocateSlot() -> (slot: ConnectionSlot, place: Int) {
        slots.withLock { $0.allocate() }
    }

    /// Frees a user's place in its connection group when the user's client goes away.
    func releaseSlot(place: Int) {
        slots.withLock { $0.release(place: place) }
    }

    // MARK: TaskExecutor

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        if isCurrent {
            localJobs.append(job)
            return
        }
        let wasEmpty = inbox.withLock { inbox in
            let wasEmpty = inbox.isEmpty
            inbox.jobs.append(job)
            return wasEmpty
        }
        if wasEmpty { poller.wake() }
    }

    // MARK: Transfers

    /// Starts a request: directly when called on this thread, through the inbox otherwise.
    func start(_ request: PendingRequest) {
        if isCurrent {
            begin(request)
        } else {
            post(.start(request))
        }
    }

    /// Aborts every transfer of one client (used when a user is killed).
    func cancelAll(of owner: ObjectIdentifier) {
        post(.cancelAll(owner))
    }

    /// Makes this thread's connections reset (RST) instead of closing normally when the process exits;
    /// waits up to `timeout` seconds for the thread to do it.
    func resetConnectionsOnExit(timeout: Double) {
        let done = DispatchSemaphore(value: 0)
        post(.resetOnClose(done))
        _ = done.wait(timeout: .now() + timeout)
    }

    /// Wakes `control`'s waiting user at `deadline` (monotonic nanoseconds), unless it was woken before.
    func schedule(deadline: UInt64, control: UserControl, generation: UInt64) {
        let entry = TimerHeap.Entry(deadline: deadline, control: control, generation: generation)
        if isCurrent {
            timers.push(entry)
        } else {
            post(.timer(entry))
        }
    }

    private func post(_ command: Command) {
        let wasEmpty = inbox.withLock { inbox in
            let wasEmpty = inbox.isEmpty
            inbox.commands.append(command)
            return wasEmpty
        }
        if wasEmpty { poller.wake() }
    }

    /// Starts a request, or holds it back while the thread is behind and many transfers are in flight.
    ///
    /// When the thread falls behind (a ramp opening thousands of connections, the process descheduled),
    /// thousands of paced users come due at once, and each transfer in flight holds a libcurl easy
    /// handle (about 8 KiB). A held request costs a few hundred bytes instead; it starts as soon as a
    /// transfer finishes or the thread catches up, and the time it was held counts in its response time.
    private func begin(_ request: PendingRequest) {
        if heldHead < held.count || (behind && active.count >= Self.inFlightWhileBehind) {
            var request = request
            request.heldSince = MonotonicClock.nanoseconds()
            held.append(request)
            return
        }
        launch(request, heldNanos: 0)
    }

    /// Starts held requests: while few transfers are in flight when the thread is behind, else in batches.
    private func releaseHeld() {
        guard heldHead < held.count else { return }
        let now = MonotonicClock.nanoseconds()
        clock = now
        // Once caught up, at most 1,024 per round, so that the backlog does not all take handles at once.
        var budget = behind ? max(0, Self.inFlightWhileBehind - active.count) : 1024
        while heldHead < held.count && budget > 0 {
            budget -= 1
            let request = held[heldHead]
            heldHead += 1
            launch(request, heldNanos: now &- request.heldSince)
        }
        if heldHead == held.count {
            held.removeAll(keepingCapacity: true)
            heldHead = 0
        } else if heldHead >= 4096 && heldHead * 2 >= held.count {
            held.removeFirst(heldHead)
            heldHead = 0
        }
    }

    private func launch(_ request: PendingRequest, heldNanos: UInt64) {
        let transfer = pool.popLast() ?? CurlTransfer(poller: poller)
        transfer.heldNanos = heldNanos
        transfer.launchedAt = clock
        // A timeout too long to add to the clock never expires.
        let limit = UInt64(max(1, request.timeoutMilliseconds))
        transfer.deadline = limit >= (UInt64.max - clock) / 1_000_000 ? .max : clock + limit * 1_000_000
        if transfer.deadline < nextExpiry { nextExpiry = transfer.deadline }
        if let failure = transfer.prepare(request) {
            transfer.finishEarly(failure)
            pool.append(transfer)
            return
        }
        let group = group(at: request.slot.group)
        transfer.group = group
        let code = curl_multi_add_handle(group.multi, transfer.easy)
        if code != CURLM_OK {
            transfer.finishEarly("EngineError: curl_multi_add_handle failed (\(code.rawValue))")
            pool.append(transfer)
            return
        }
        transfer.activeIndex = active.count
        active.append(transfer)
        if active.count > peakActive { peakActive = active.count }
    }

    /// Once a second, frees the pooled easy handles that the last second did not need: a burst (a ramp
    /// opening thousands of connections, a stalled server) can leave thousands of them, 8 KiB each.
    private func trimPool(now: UInt64) {
        guard now &- lastTrim >= 1_000_000_000 else { return }
        lastTrim = now
        let keep = max(64, peakActive)
        peakActive = active.count
        guard pool.count > keep else { return }
        let surplus = pool.count - keep
        pool.removeLast(surplus)
        if surplus >= 1024 { locust_release_free_memory() }
    }

    /// Fails the transfers whose timeout has passed, and finds the next deadline.
    private func expireTransfers(now: UInt64) {
        var next = UInt64.max
        var index = 0
        while index < active.count {
            let transfer = active[index]
            guard transfer.deadline <= now else {
                next = min(next, transfer.deadline)
                index += 1
                continue
            }
            // removeActive moves the last transfer into this index: look at it next.
            if let group = transfer.group { curl_multi_remove_handle(group.multi, transfer.easy) }
            transfer.group = nil
            removeActive(transfer)
            transfer.timedOut(now: now)
            pool.append(transfer)
        }
        nextExpiry = next
    }

    /// The connection group at `index`, created on first use.
    private func group(at index: Int) -> ConnectionGroup {
        while groups.count <= index {
            groups.append(ConnectionGroup(index: groups.count, poller: poller))
        }
        return groups[index]
    }

    private func removeActive(_ transfer: CurlTransfer) {
        let index = transfer.activeIndex
        guard index >= 0, index < active.count, active[index] === transfer else { return }
        let last = active.removeLast()
        if index < active.count {
            active[index] = last
            last.activeIndex = index
        }
        transfer.activeIndex = -1
    }

    private func cancelTransfers(of owner: ObjectIdentifier) {
        if heldHead < held.count && held[heldHead...].contains(where: { $0.owner == owner }) {
            var kept: [PendingRequest] = []
            for request in held[heldHead...] {
                if request.owner == owner {
                    request.continuation.resume(returning: TransferResult(
                        status: 0, body: [], headerBytes: [], error: "CancelledError: the user was stopped",
                        elapsedNanos: 0, cancelled: true))
                } else {
                    kept.append(request)
                }
            }
            held = kept
            heldHead = 0
        }
        for transfer in active.filter({ $0.owner == owner }) {
            if let group = transfer.group { curl_multi_remove_handle(group.multi, transfer.easy) }
            transfer.group = nil
            removeActive(transfer)
            transfer.cancel()
            pool.append(transfer)
        }
    }

    // MARK: The loop

    private func run() {
        while true {
            rounds.store(rounds.load(ordering: .relaxed) &+ 1, ordering: .relaxed)
            clock = MonotonicClock.nanoseconds()
            if clock >= nextExpiry { expireTransfers(now: clock) }
            let taken = inbox.withLock { inbox -> Inbox in
                if inbox.isEmpty { return Inbox() }
                let taken = inbox
                inbox = Inbox()
                return taken
            }
            for command in taken.commands {
                switch command {
                case .start(let request): begin(request)
                case .cancelAll(let owner): cancelTransfers(of: owner)
                case .timer(let entry): timers.push(entry)
                case .resetOnClose(let done):
                    poller.resetOnClose()
                    done.signal()
                }
            }
            if !taken.jobs.isEmpty { localJobs.append(contentsOf: taken.jobs) }
            let lateness = fireTimers()
            if lateness > Self.lateTimer {
                behind = true
                if lateness > worstLateness.load(ordering: .relaxed) { worstLateness.store(lateness, ordering: .relaxed) }
            }
            runLocalJobs()
            // New transfers ask for a 0 ms curl timeout: start them before sleeping.
            let curlDeadline = runDueGroups()

            var timeout: Int32 = 0
            let roundEnd = MonotonicClock.nanoseconds()
            behind = roundEnd &- roundStart > Self.busyRound
            if localJobs.isEmpty && heldHead == held.count {
                var deadline = min(curlDeadline, timers.nextDeadline ?? .max, nextExpiry)
                timeout = 1000
                if deadline != .max {
                    let now = MonotonicClock.nanoseconds()
                    deadline = deadline > now ? (deadline - now + 999_999) / 1_000_000 : 0
                    timeout = Int32(min(UInt64(1000), deadline))
                }
            }
            let ready = poller.wait(milliseconds: timeout)
            roundStart = MonotonicClock.nanoseconds()
            if pool.count > 64 { trimPool(now: roundStart) }
            for index in 0..<ready {
                let (token, flags) = poller.event(at: index)
                if token == EventPoller.wakeToken {
                    poller.drainWake()
                    continue
                }
                let groupIndex = Int(token >> 32)
                let fd = Int32(truncatingIfNeeded: token)
                guard groupIndex < groups.count, !poller.takeParked(fd) else { continue }
                let group = groups[groupIndex]
                var running: Int32 = 0
                curl_multi_socket_action(group.multi, fd, flags, &running)
                collectFinished(group)
            }
            releaseHeld()
        }
    }

    /// Runs libcurl's due timeouts in every group; returns the earliest deadline still pending.
    private func runDueGroups() -> UInt64 {
        var earliest = UInt64.max
        var now: UInt64 = 0
        for group in groups where group.deadline != .max {
            if group.deadline > 0 {
                if now == 0 { now = MonotonicClock.nanoseconds() }
                if group.deadline > now {
                    earliest = min(earliest, group.deadline)
                    continue
                }
            }
            group.deadline = .max
            var running: Int32 = 0
            curl_multi_socket_action(group.multi, locust_socket_timeout(), 0, &running)
            collectFinished(group)
            earliest = min(earliest, group.deadline)
        }
        return earliest
    }

    /// Wakes the users whose time has come; returns how late the most overdue one was (ns).
    /// The latest this thread woke a user past its due time since the previous call (ns), then 0.
    func takeWorstLateness() -> UInt64 {
        worstLateness.exchange(0, ordering: .relaxed)
    }

    private func fireTimers() -> UInt64 {
        guard !timers.isEmpty else { return 0 }
        let now = MonotonicClock.nanoseconds()
        var lateness: UInt64 = 0
        while let entry = timers.popDue(now: now) {
            lateness = max(lateness, now &- entry.deadline)
            entry.control.fire(generation: entry.generation)
        }
        return lateness
    }

    private func runLocalJobs() {
        // Jobs enqueued while these run (a user starting its next request resumes nothing, but a
        // yield does) go to `localJobs` and run in the next round, after curl had its turn.
        var passes = 0
        while !localJobs.isEmpty && passes < 4 {
            clock = MonotonicClock.nanoseconds()
            swap(&localJobs, &spareJobs)
            let executor = asUnownedTaskExecutor()
            for job in spareJobs {
                job.runSynchronously(on: executor)
            }
            spareJobs.removeAll(keepingCapacity: true)
            passes += 1
        }
    }

    private func collectFinished(_ group: ConnectionGroup) {
        var remaining: Int32 = 0
        while let message = curl_multi_info_read(group.multi, &remaining) {
            guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle else { continue }
            let result = locust_msg_result(message)
            curl_multi_remove_handle(group.multi, easy)
            guard let transfer = CurlTransfer.from(easy: easy) else { continue }
            transfer.group = nil
            removeActive(transfer)
            transfer.complete(result)
            pool.append(transfer)
        }
    }
}
