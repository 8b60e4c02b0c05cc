import Synchronization

/// A user's HTTP session on libcurl: its cookies and default headers, keep-alive connections, and
/// statistics for every request, like Locust's `self.client`.
///
/// Each user gets its own client; paths are resolved against the user's host.
///
/// ```swift
/// func viewItem() async {
///     let id = Int.random(in: 1...1000)
///     await client.get("/items/\(id)", name: "/items/[id]")
/// }
/// ```
public final class HTTPClient: Sendable {
    /// The base URL that relative paths are resolved against (`--host` or the user class's host).
    public let baseURL: String
    /// The client's settings.
    public let options: HTTPClientOptions
    let thread: EngineThread
    let recorder: any RequestRecorder
    let slot: ConnectionSlot
    private let place: Int
    /// `options.timeout` in whole milliseconds (at least 1), worked out once.
    private let defaultTimeoutMilliseconds: Int
    private let state = Mutex<State>(State())

    struct State: Sendable {
        var cookies = CookieJar()
        var defaultHeaders: [(String, String)] = []
        /// The last path requested without query items and its URL: a user's tasks mostly repeat a few
        /// paths, and this spares building the same URL string again.
        var lastPath = ""
        var lastURL = ""
    }

    /// Creates a client pinned to one engine thread. The runner makes one per user.
    @_spi(Runner) public init(baseURL: String, options: HTTPClientOptions, thread: EngineThread, recorder: any RequestRecorder) {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.baseURL = base
        self.options = options
        defaultTimeoutMilliseconds = Self.milliseconds(options.timeout)
        self.thread = thread
        self.recorder = recorder
        (slot, place) = thread.allocateSlot()
    }

    deinit {
        thread.releaseSlot(place: place)
    }

    /// The task that runs this client's user, while it runs (0: none), as ``currentTaskBits()`` gives it.
    private let userTask = Atomic<UInt>(0)
    /// The receive buffer for the next request, from the size of the last response (see `CurlTransfer`).
    private let receiveBuffer = Atomic<Int>(CurlTransfer.smallBuffer)

    /// Runs a user's whole life with one cancellation handler, so that the requests its task makes
    /// need none of their own (a handler per request costs two executor checks and a status record).
    /// Requests from any other task, such as a child task of the user, keep a handler each.
    func runAsUser(_ body: () async -> Void) async {
        userTask.store(Self.currentTaskBits(), ordering: .relaxed)
        await withTaskCancellationHandler {
            await body()
        } onCancel: { [thread] in
            thread.cancelAll(of: ObjectIdentifier(self))
        }
        userTask.store(0, ordering: .relaxed)
    }

    /// The identity of the current task (0 outside a task).
    static func currentTaskBits() -> UInt {
        withUnsafeCurrentTask { task in
            // unsafeBitCast: an UnsafeCurrentTask is one task pointer; its bits are only compared while
            // that task runs, never turned back into a task.
            task.map { unsafeBitCast($0, to: UInt.self) } ?? 0
        }
    }

    /// Headers sent with every request of this client (a request's own headers win).
    public var defaultHeaders: [String: String] {
        get { Dictionary(state.withLock { $0.defaultHeaders }, uniquingKeysWith: { _, last in last }) }
        set { state.withLock { $0.defaultHeaders = newValue.sorted { $0.key < $1.key }.map { ($0.key, $0.value) } } }
    }

    /// The cookies the client holds, by name.
    public var cookies: [String: String] {
        Dictionary(state.withLock { $0.cookies.cookies.map { ($0.name, $0.value) } }, uniquingKeysWith: { _, last in last })
    }

    /// Forgets every cookie.
    public func clearCookies() {
        state.withLock { $0.cookies.removeAll() }
    }

    /// Sends a request and records it in statistics.
    ///
    /// - Parameters:
    ///   - method: The HTTP method.
    ///   - path: A path resolved against ``baseURL``, or an absolute `http(s)://` URL.
    ///   - name: The statistics row; defaults to `path`. Group URLs with ids: `name: "/items/[id]"`.
    ///   - query: Query items appended to the URL, URL-encoded.
    ///   - headers: Extra headers for this request.
    ///   - body: The request body.
    ///   - timeout: This request's timeout; defaults to the client's.
    ///   - validate: Decides success or failure from the response, like Locust's `catch_response`.
    /// - Returns: The response, or the transport error in ``HTTPResponse/error``. Never throws: failures
    ///   are recorded in statistics, as Locust does.
    @discardableResult
    public func request(
        _ method: HTTPMethod,
        _ path: String,
        name: String? = nil,
        query: KeyValuePairs<String, String> = [:],
        headers: [String: String] = [:],
        body: HTTPBody? = nil,
        timeout: Duration? = nil,
        validate: ((HTTPResponse) -> ResponseVerdict)? = nil
    ) async -> HTTPResponse {
        // The work before and after the transfer is in synchronous helpers: an async function's frame
        // lives in its task's allocator for as long as it runs, and every waiting user keeps one.
        let prepared = prepare(method, path, query: query, headers: headers, body: body, timeout: timeout)
        let result: TransferResult
        if userTask.load(ordering: .relaxed) == Self.currentTaskBits() {
            // The user's own task, whose whole life has one cancellation handler (see `runAsUser`).
            result = await withUnsafeContinuation { continuation in
                startAsUser(method, prepared, continuation)
            }
        } else {
            result = await sendCancellable(method, prepared)
        }
        return finish(method, path, name: name, url: prepared.url, result: result, validate: validate)
    }

    /// What a request needs once its URL, headers and cookies are worked out.
    struct PreparedRequest {
        var url: String
        var headerLines: [String]
        var cookieHeader: String?
        var body: [UInt8]?
        var timeoutMilliseconds: Int
    }

    // @inline(never) here and on `pending`/`finish`: inlined into the async caller, their temporaries
    // would take room in its frame, which a waiting user keeps (measured: 1,328 bytes with them inlined).
    @inline(never)
    private func prepare(
        _ method: HTTPMethod, _ path: String, query: KeyValuePairs<String, String>, headers: [String: String],
        body: HTTPBody?, timeout: Duration?
    ) -> PreparedRequest {
        let (url, headerLines, cookieHeader) = state.withLock { state -> (String, [String], String?) in
            let url: String
            if !query.isEmpty {
                url = resolve(path, query: query)
            } else if path == state.lastPath && !path.isEmpty {
                url = state.lastURL
            } else {
                url = resolve(path, query: query)
                state.lastPath = path
                state.lastURL = url
            }
            var lines: [String] = []
            if !state.defaultHeaders.isEmpty || !headers.isEmpty || body?.contentType != nil {
                lines.reserveCapacity(state.defaultHeaders.count + headers.count + 1)
                for (key, value) in state.defaultHeaders where !headers.keys.contains(where: { $0.lowercased() == key.lowercased() }) {
                    lines.append("\(key): \(value)")
                }
                for (key, value) in headers { lines.append("\(key): \(value)") }
                if let type = body?.contentType, !headers.keys.contains(where: { $0.lowercased() == "content-type" }) {
                    lines.append("Content-Type: \(type)")
                }
            }
            return (url, lines, state.cookies.header(for: url))
        }
        return PreparedRequest(
            url: url, headerLines: headerLines, cookieHeader: cookieHeader, body: body?.bytes,
            timeoutMilliseconds: timeout.map(Self.milliseconds) ?? defaultTimeoutMilliseconds)
    }

    /// A timeout in whole milliseconds, at least 1.
    static func milliseconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        let whole = seconds.multipliedReportingOverflow(by: 1000)
        let total = whole.partialValue.addingReportingOverflow(attoseconds / 1_000_000_000_000_000)
        guard !whole.overflow && !total.overflow else { return seconds > 0 ? Int.max : 1 }
        return max(1, Int(total.partialValue))
    }

    @inline(never)
    private func startAsUser(
        _ method: HTTPMethod, _ prepared: PreparedRequest, _ continuation: UnsafeContinuation<TransferResult, Never>
    ) {
        thread.start(pending(method, prepared, continuation))
        // Cancelled before the transfer existed: the life-long handler found nothing to abort.
        if Task.isCancelled { thread.cancelAll(of: ObjectIdentifier(self)) }
    }

    @inline(never)
    private func pending(
        _ method: HTTPMethod, _ prepared: PreparedRequest, _ continuation: UnsafeContinuation<TransferResult, Never>
    ) -> PendingRequest {
        PendingRequest(
            method: method, url: prepared.url, headerLines: prepared.headerLines, body: prepared.body,
            timeoutMilliseconds: prepared.timeoutMilliseconds, cookieHeader: prepared.cookieHeader, options: options,
            owner: ObjectIdentifier(self), slot: slot, receiveBuffer: receiveBuffer.load(ordering: .relaxed),
            continuation: continuation)
    }

    /// Sends a request from a task other than the user's own, with a cancellation handler of its own.
    @inline(never)
    private func sendCancellable(_ method: HTTPMethod, _ prepared: PreparedRequest) async -> TransferResult {
        let thread = self.thread
        let owner = ObjectIdentifier(self)
        return await withTaskCancellationHandler {
            await withUnsafeContinuation { continuation in
                thread.start(pending(method, prepared, continuation))
            }
        } onCancel: {
            thread.cancelAll(of: owner)
        }
    }

    /// Builds the response of a finished transfer, judges it and records it in statistics.
    @inline(never)
    private func finish(
        _ method: HTTPMethod, _ path: String, name: String?, url: String, result: TransferResult,
        validate: ((HTTPResponse) -> ResponseVerdict)?
    ) -> HTTPResponse {
        // libcurl's own clock runs from the start of the transfer to its last byte (see TransferResult).
        let elapsedNanos = result.elapsedNanos
        let buffer = CurlTransfer.receiveBuffer(forResponseBytes: result.body.count + result.headerBytes.count)
        if buffer != receiveBuffer.load(ordering: .relaxed) { receiveBuffer.store(buffer, ordering: .relaxed) }
        if result.setsCookies {
            state.withLock { $0.cookies.store(headerBytes: result.headerBytes, url: url) }
        }
        var response = HTTPResponse(
            method: method, url: url, status: result.status, body: result.body, error: result.error,
            elapsed: .nanoseconds(Int64(elapsedNanos)), failure: nil, rawHeaders: result.headerBytes)
        if result.cancelled {
            response.failure = result.error
            recorder.recordInterruptedRequest(method: method.rawValue, name: name ?? path)
            return response
        }
        switch validate?(response) ?? .automatic {
        case .success:
            response.failure = nil
        case .failure(let message):
            response.failure = message
        case .automatic:
            if let error = result.error {
                response.failure = error
            } else if result.status >= 400 {
                let reason = response.reason
                response.failure = reason.isEmpty ? "HTTPError: \(result.status)" : "HTTPError: \(result.status) \(reason)"
            }
        }
        recorder.recordRequest(
            method: method.rawValue, name: name ?? path, responseTime: Double(elapsedNanos) / 1_000_000,
            contentLength: result.body.count, error: response.failure)
        return response
    }

    /// Sends a GET request. See ``request(_:_:name:query:headers:body:timeout:validate:)``.
    @discardableResult
    public func get(
        _ path: String, name: String? = nil, query: KeyValuePairs<String, String> = [:], headers: [String: String] = [:],
        timeout: Duration? = nil, validate: ((HTTPResponse) -> ResponseVerdict)? = nil
    ) async -> HTTPResponse {
        await request(.get, path, name: name, query: query, headers: headers, timeout: timeout, validate: validate)
    }

    /// Sends a POST request. See ``request(_:_:name:query:headers:body:timeout:validate:)``.
    @discardableResult
    public func post(
        _ path: String, name: String? = nil, query: KeyValuePairs<String, String> = [:], headers: [String: String] = [:],
        body: HTTPBody? = nil, timeout: Duration? = nil, validate: ((HTTPResponse) -> ResponseVerdict)? = nil
    ) async -> HTTPResponse {
        await request(.post, path, name: name, query: query, headers: headers, body: body ?? HTTPBody(bytes: []), timeout: timeout, validate: validate)
    }

    /// Sends a PUT request. See ``request(_:_:name:query:headers:body:timeout:validate:)``.
    @discardableResult
    public func put(
        _ path: String, name: String? = nil, query: KeyValuePairs<String, String> = [:], headers: [String: String] = [:],
        body: HTTPBody? = nil, timeout: Duration? = nil, validate: ((HTTPResponse) -> ResponseVerdict)? = nil
    ) async -> HTTPResponse {
        await request(.put, path, name: name, query: query, headers: headers, body: body ?? HTTPBody(bytes: []), timeout: timeout, validate: validate)
    }

    /// Sends a PATCH request. See ``request(_:_:name:query:headers:body:timeout:validate:)``.
    @discardableResult
    public func patch(
        _ path: String, name: String? = nil, query: KeyValuePairs<String, String> = [:], headers: [String: String] = [:],
        body: HTTPBody? = nil, timeout: Duration? = nil, validate: ((HTTPResponse) -> ResponseVerdict)? = nil
    ) async -> HTTPResponse {
        await request(.patch, path, name: name, query: query, headers: headers, body: body ?? HTTPBody(bytes: []), timeout: timeout, validate: validate)
    }

    /// Sends a DELETE request. See ``request(_:_:name:query:headers:body:timeout:validate:)``.
    @discardableResult
    public func delete(
        _ path: String, name: String? = nil, query: KeyValuePairs<String, String> = [:], headers: [String: String] = [:],
        body: HTTPBody? = nil, timeout: Duration? = nil, validate: ((HTTPResponse) -> ResponseVerdict)? = nil
    ) async -> HTTPResponse {
        await request(.delete, path, name: name, query: query, headers: headers, body: body, timeout: timeout, validate: validate)
    }

    /// Sends a HEAD request. See ``request(_:_:name:query:headers:body:timeout:validate:)``.
    @discardableResult
    public func head(
        _ path: String, name: String? = nil, query: KeyValuePairs<String, String> = [:], headers: [String: String] = [:],
        timeout: Duration? = nil, validate: ((HTTPResponse) -> ResponseVerdict)? = nil
    ) async -> HTTPResponse {
        await request(.head, path, name: name, query: query, headers: headers, timeout: timeout, validate: validate)
    }

    /// Sends an OPTIONS request. See ``request(_:_:name:query:headers:body:timeout:validate:)``.
    @discardableResult
    public func options(
        _ path: String, name: String? = nil, query: KeyValuePairs<String, String> = [:], headers: [String: String] = [:],
        timeout: Duration? = nil, validate: ((HTTPResponse) -> ResponseVerdict)? = nil
    ) async -> HTTPResponse {
        await request(.options, path, name: name, query: query, headers: headers, timeout: timeout, validate: validate)
    }

    /// The absolute URL for a path and query items.
    func resolve(_ path: String, query: KeyValuePairs<String, String>) -> String {
        var url: String
        if path.hasPrefix("http://") || path.hasPrefix("https://") {
            url = path
        } else if path.hasPrefix("/") {
            url = baseURL + path
        } else {
            url = baseURL + "/" + path
        }
        if !query.isEmpty {
            url += url.contains("?") ? "&" : "?"
            url += query.map { "\(FormEncoding.escape($0.key))=\(FormEncoding.escape($0.value))" }.joined(separator: "&")
        }
        return url
    }
}
