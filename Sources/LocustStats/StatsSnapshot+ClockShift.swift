extension StatsSnapshot {
    /// The snapshot with every time moved by `seconds`: a slave's statistics put on its master's
    /// clock, so that a slave whose wall clock is off (Locust issue #2300: requests/s taken from worker
    /// clocks) neither stretches the test's duration nor falls out of the current second's window.
    public func shifted(bySeconds seconds: Int) -> StatsSnapshot {
        guard seconds != 0 else { return self }
        func moved<T>(_ value: T, _ shift: (inout T) -> Void) -> T {
            var copy = value
            shift(&copy)
            return copy
        }
        return StatsSnapshot(
            entries: entries.map { moved($0) { $0.shift(bySeconds: seconds) } },
            total: moved(total) { $0.shift(bySeconds: seconds) },
            errors: errors.map { moved($0) { $0.shift(bySeconds: seconds) } },
            exceptions: exceptions,
            recentResponseTimes: moved(recentResponseTimes) { $0.shift(bySeconds: seconds) },
            takenAt: takenAt + Double(seconds), interruptedRequests: interruptedRequests,
            openModel: openModel.map { model in
                moved(model) { model in
                    for index in model.serviceEntries.indices { model.serviceEntries[index].shift(bySeconds: seconds) }
                    model.serviceTotal.shift(bySeconds: seconds)
                }
            })
    }
}
