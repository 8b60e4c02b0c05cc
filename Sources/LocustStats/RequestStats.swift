import Synchronization

/// The request statistics of a run, safe to record into from any thread.
///
/// Entries are keyed by (method, name); an aggregated entry, the failures keyed by
/// (method, name, error), the exceptions keyed by (message, location) and per-second histograms of
/// the last 20 seconds (for "current" percentiles) are kept next to them.
/// ``record(method:name:responseTime:contentLength:error:)`` is the hot path: one lock and one
/// dictionary lookup per request. Readers take a ``snapshot()``, a consistent copy.
public final class RequestStats: Sendable {
    private let state: Mutex<StatsState>

    /// Creates empty statistics whose aggregated entry starts at `startTime` (default: now).
    public init(startTime: Double? = nil) {
        state = Mutex(StatsState(startTime: startTime ?? WallClock.now()))
    }

    /// Records one request completed now (the wall clock read at tick resolution, a few ms).
    /// - Parameters:
    ///   - method: The request method (`GET`, …).
    ///   - name: The request name (usually the URL path).
    ///   - responseTime: The response time in milliseconds.
    ///   - contentLength: The response body size in bytes.
    ///   - error: The failure message, `nil` for a success. Failed requests count as requests too.
    @inlinable
    public func record(method: String, name: String, responseTime: Double, contentLength: Int, error: String?) {
        record(
            method: method, name: name, responseTime: responseTime, contentLength: contentLength, error: error,
            at: currentTime())
    }

    /// Records one request completed at `timestamp` (seconds since the epoch).
    public func record(
        method: String, name: String, responseTime: Double, contentLength: Int, error: String?, at timestamp: Double
    ) {
        state.withLock { state in
            state.record(
                method: method, name: name, responseTime: responseTime, contentLength: contentLength, error: error,
                at: timestamp)
        }
    }

    /// Records one open-model request completed now: `responseTime` runs from its iteration's intended
    /// start (the request table), `serviceTime` is its own (the service table, ``OpenModelStats``).
    public func recordOpenModel(
        method: String, name: String, responseTime: Double, serviceTime: Double, contentLength: Int, error: String?
    ) {
        let now = currentTime()
        state.withLock { state in
            state.recordOpenModel(
                method: method, name: name, responseTime: responseTime, serviceTime: serviceTime,
                contentLength: contentLength, error: error, at: now)
        }
    }

    /// Makes the snapshots carry ``StatsSnapshot/openModel`` (zeroes until something is recorded), for an
    /// open-model run; `false` drops it again (a closed-model test after an open one).
    public func enableOpenModel(_ enabled: Bool = true) {
        state.withLock { state in
            if !enabled {
                state.open = nil
            } else if state.open == nil {
                state.open = OpenModelTables(startTime: state.total.startTime)
            }
        }
    }

    /// Counts an iteration started on schedule (open model).
    public func recordIterationStarted() {
        state.withLock { state in
            if state.open == nil { state.open = OpenModelTables(startTime: state.total.startTime) }
            state.open?.started += 1
        }
    }

    /// Counts an iteration that was due but could not start: `--max-concurrency` were in flight.
    public func recordIterationDropped() {
        state.withLock { state in
            if state.open == nil { state.open = OpenModelTables(startTime: state.total.startTime) }
            state.open?.dropped += 1
        }
    }

    /// Counts a request cut off in flight by a stop (see ``StatsSnapshot/interruptedRequests``).
    public func recordInterrupted() {
        state.withLock { $0.interrupted += 1 }
    }

    /// Records an exception raised by user code now.
    /// - Parameters:
    ///   - message: The exception message.
    ///   - location: Where it was raised (a traceback-like string).
    ///   - node: The node it was raised on (`"local"` outside distributed runs).
    public func recordException(message: String, location: String, node: String = "local") {
        state.withLock { $0.recordException(message: message, location: location, node: node) }
    }

    /// A consistent copy of everything recorded so far.
    public func snapshot() -> StatsSnapshot {
        let now = WallClock.now()
        let copy = state.withLock { $0 }
        return copy.snapshot(at: now)
    }

    /// A consistent copy, then zeroes everything in the same critical section — for workers that
    /// send deltas which the master adds with ``merge(_:)``.
    public func snapshotAndReset() -> StatsSnapshot {
        let now = WallClock.now()
        let copy = state.withLock { state in
            let copy = state
            state.reset(at: now)
            return copy
        }
        return copy.snapshot(at: now)
    }

    /// Adds a snapshot taken elsewhere (a worker's delta) into these statistics; exact.
    public func merge(_ snapshot: StatsSnapshot) {
        state.withLock { $0.merge(snapshot) }
    }

    /// Zeroes every entry (entries stay listed, as in Locust), and forgets errors, exceptions and
    /// the recent window; the aggregated entry restarts at `time` (default: now).
    public func reset(at time: Double? = nil) {
        let now = time ?? WallClock.now()
        state.withLock { $0.reset(at: now) }
    }

    /// The aggregated entry.
    public var total: StatsEntry { state.withLock { $0.total } }

    /// The entry for a method and name, if a request was recorded for it.
    public func entry(method: String, name: String) -> StatsEntry? {
        state.withLock { $0.entry(for: StatsEntryKey(method: method, name: name)) }
    }

    /// The aggregated response time at `percentile` (0...1) over the last `window` seconds (Locust's
    /// `get_current_response_time_percentile`), or `nil` when no request completed in it.
    public func currentResponseTimePercentile(
        _ percentile: Double, now: Double? = nil, window: Int = ResponseTimeWindow.defaultWindow
    ) -> Double? {
        currentResponseTimePercentiles([percentile], now: now, window: window)?.first
    }

    /// Several current percentiles from one merge of the window, or `nil` when it is empty.
    public func currentResponseTimePercentiles(
        _ percentiles: [Double], now: Double? = nil, window: Int = ResponseTimeWindow.defaultWindow
    ) -> [Double]? {
        let end = now ?? WallClock.now()
        let recent = state.withLock { $0.window }
        return recent.percentiles(percentiles, endingAt: end, window: window)
    }

    /// The wall clock used for records without an explicit time (tick resolution is enough to
    /// place a request in its second, and several times cheaper than the precise clock).
    @usableFromInline
    func currentTime() -> Double { WallClock.coarseNow() }
}
