extension StatsSnapshot {
    /// The snapshot cut into at most `count` snapshots whose merge equals it: a report too large for one
    /// coordinator message goes as several. Entries and errors are dealt out in order; the first part
    /// keeps the aggregated entry's counts, the exceptions, the recent window, the interrupted count and
    /// the open model's tables. The other parts carry an aggregated entry with no requests but the
    /// same start and last-request times, so that merging them (ours, and Locust's `extend`, which
    /// takes the minimum start) changes nothing of the total.
    public func parts(_ count: Int) -> [StatsSnapshot] {
        let pieces = Swift.max(1, Swift.min(count, Swift.max(entries.count, errors.count, 1)))
        guard pieces > 1 else { return [self] }
        func slice<T>(_ items: [T], _ index: Int) -> [T] {
            let size = (items.count + pieces - 1) / pieces
            let start = Swift.min(items.count, index * size)
            return Array(items[start..<Swift.min(items.count, start + size)])
        }
        var quietTotal = StatsEntry(method: total.method, name: total.name, startTime: total.startTime)
        quietTotal.lastRequestTimestamp = total.lastRequestTimestamp
        return (0..<pieces).map { index in
            index == 0
                ? StatsSnapshot(
                    entries: slice(entries, 0), total: total, errors: slice(errors, 0), exceptions: exceptions,
                    recentResponseTimes: recentResponseTimes, takenAt: takenAt, interruptedRequests: interruptedRequests,
                    openModel: openModel)
                : StatsSnapshot(
                    entries: slice(entries, index), total: quietTotal, errors: slice(errors, index), takenAt: takenAt)
        }
    }
}
