/// What a running user knows about itself and its test: its HTTP client, its number, and a way to
/// report requests that are not HTTP.
///
/// ```swift
/// func query() async throws {
///     try await context.measure(type: "SQL", name: "top products") {
///         try await database.query("SELECT ...")
///     }
/// }
/// ```
public final class UserContext: Sendable {
    /// The user's HTTP client.
    public let client: HTTPClient
    /// This user's number in its process, from 0.
    public let userID: Int
    /// The user class's name.
    public let userClassName: String
    /// The host that the test targets (`--host` or the class's own).
    public let host: String
    /// The scenario's own options for this test (``ScenarioOption``).
    public let options: ScenarioOptions
    let recorder: any RequestRecorder
    let control = UserControl()
    /// `--equal-weights`: every task of weight above 0 is picked as often as the others.
    let equalTaskWeights: Bool

    /// Creates a context; the runner makes one per user.
    @_spi(Runner) public init(userID: Int, userClassName: String, host: String, client: HTTPClient, recorder: any RequestRecorder) {
        self.userID = userID
        self.userClassName = userClassName
        self.host = host
        self.client = client
        self.recorder = recorder
        self.equalTaskWeights = false
        self.options = .none
    }

    /// Creates a context whose tasks all weigh the same when `equalTaskWeights` (`--equal-weights`).
    @_spi(Runner) public init(
        userID: Int, userClassName: String, host: String, client: HTTPClient, recorder: any RequestRecorder,
        equalTaskWeights: Bool, options: ScenarioOptions = ScenarioOptions(values: [:])
    ) {
        self.userID = userID
        self.userClassName = userClassName
        self.host = host
        self.client = client
        self.recorder = recorder
        self.equalTaskWeights = equalTaskWeights
        self.options = options
    }

    /// True once the test asked this user to stop (it finishes its current task, then stops).
    public var isStopping: Bool { control.isStopping }

    /// Reports one request to statistics, like Locust's `events.request.fire`.
    ///
    /// - Parameters:
    ///   - type: The statistics "Type" column (`"SQL"`, `"gRPC"`).
    ///   - name: The statistics "Name" column.
    ///   - responseTime: The time it took, in milliseconds.
    ///   - contentLength: The size of the answer, in bytes.
    ///   - error: nil for a success, or the failure's message.
    public func recordRequest(type: String, name: String, responseTime: Double, contentLength: Int = 0, error: String? = nil) {
        recorder.recordRequest(method: type, name: name, responseTime: responseTime, contentLength: contentLength, error: error)
    }

    /// Times `body` and reports it as a request; an error it throws is recorded as the failure and
    /// rethrown.
    public func measure<T>(type: String, name: String, _ body: () async throws -> T) async rethrows -> T {
        let start = MonotonicClock.nanoseconds()
        do {
            let value = try await body()
            let elapsed = Double(MonotonicClock.nanoseconds() - start) / 1_000_000
            recordRequest(type: type, name: name, responseTime: elapsed)
            return value
        } catch {
            let elapsed = Double(MonotonicClock.nanoseconds() - start) / 1_000_000
            recordRequest(type: type, name: name, responseTime: elapsed, error: UserClass.describe(error))
            throw error
        }
    }

    /// Waits `seconds`, or less if the user is asked to stop meanwhile; returns false in that case.
    @discardableResult
    public func sleep(seconds: Double) async -> Bool {
        await control.wait(seconds: seconds, on: client.thread)
    }

    /// Asks this user to stop after its current task (the runner's graceful stop).
    @_spi(Runner) public func requestStop() {
        control.requestStop(kill: false)
    }

    /// Stops this user now: wakes it, aborts its requests in flight (they are not recorded).
    @_spi(Runner) public func kill() {
        control.requestStop(kill: true)
        client.thread.cancelAll(of: ObjectIdentifier(client))
    }
}
