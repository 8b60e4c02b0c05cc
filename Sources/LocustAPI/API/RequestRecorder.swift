/// Where requests and exceptions are reported: the runner's statistics.
///
/// The HTTP client reports every request through it; a scenario reports non-HTTP calls (a database,
/// gRPC) through ``UserContext/recordRequest(type:name:responseTime:contentLength:error:)`` or
/// ``UserContext/measure(type:name:_:)``, like Locust's `events.request.fire`.
public protocol RequestRecorder: Sendable {
    /// Records one request. `responseTime` is in milliseconds; `error` is nil for a success.
    func recordRequest(method: String, name: String, responseTime: Double, contentLength: Int, error: String?)
    /// Records an error thrown by a task or hook: its description and where it came from.
    func recordException(message: String, location: String)
    /// Records a request cut off by the test's stop while in flight (not a completed request: it has no
    /// response time), so that the summary can say how many there were.
    func recordInterruptedRequest(method: String, name: String)
}

extension RequestRecorder {
    /// Ignores interrupted requests (recorders that do not count them).
    public func recordInterruptedRequest(method: String, name: String) {}
}
