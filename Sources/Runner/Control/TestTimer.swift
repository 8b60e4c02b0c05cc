/// A test's run-time timer (`-t`, `run_time`), owned by its controller: a new test or a start that
/// brings its own run time replaces it, an edit without one keeps it, a stop cancels it.
struct TestTimer {
    private var timer: (any ScheduledTimer)?

    /// Arms (or keeps) the timer for a start of test `test`; `fire` gets the test's number when the
    /// time is up, and must check that the test is still the one running.
    mutating func arm(
        _ runTime: Duration?, newTest: Bool, test: Int, scheduler: any RunScheduler, logger: RunLogger,
        fire: @escaping @Sendable (Int) async -> Void
    ) {
        if runTime != nil || newTest { cancel() }
        guard let runTime else { return }
        logger.info("Run time limit set to \(PythonStyle.number(runTime.seconds)) seconds")
        timer = scheduler.schedule(after: runTime) { await fire(test) }
    }

    /// Cancels the timer, if any.
    mutating func cancel() {
        timer?.cancel()
        timer = nil
    }
}
