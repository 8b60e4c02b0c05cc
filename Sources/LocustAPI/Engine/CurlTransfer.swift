internal import CCurl
internal import Foundation
import Glibc

/// One pooled curl easy handle of an engine thread, and the state of the request it carries.
///
/// Handles belong to an engine thread, not to a user: keep-alive connections live in the connection
/// groups' multi handles (each user's apart, see `ConnectionSlot`) and cookies in each user's
/// `HTTPClient`, so a waiting user holds no easy handle.
final class CurlTransfer {
    let easy: UnsafeMutableRawPointer
    // @exclusivity(unchecked): the write callback and `complete` touch the body only on the engine
    // thread, one at a time; the dynamic check cost more than the append of a small body.
    @exclusivity(unchecked) var body: [UInt8] = []
    /// The raw header lines of the response being received: a buffer reused from request to request,
    /// so that a header line costs one `memcpy` (libcurl calls back once per line).
    private let headers: HeaderBuffer
    var owner: ObjectIdentifier?
    var activeIndex = -1
    /// How long the engine held the request back before starting it (added to its response time).
    var heldNanos: UInt64 = 0
    /// When the engine started the transfer, and when it gives up on it (monotonic ns). The engine
    /// enforces request timeouts itself: a libcurl timeout costs a timer in the multi handle's splay
    /// tree and timer callbacks for every request, about 5 % of the CPU a request takes.
    var launchedAt: UInt64 = 0
    var deadline: UInt64 = .max
    /// The group whose multi handle carries the transfer while it runs.
    var group: ConnectionGroup?
    private var continuation: UnsafeContinuation<TransferResult, Never>?
    /// The URL and client options last set on the handle (libcurl keeps options from one transfer to
    /// the next).
    private var appliedURL = ""
    /// `appliedURL` parsed once (a libcurl URL handle, `CURLOPT_CURLU`): given only a URL string,
    /// libcurl parses it again for every transfer and stores a normalized copy, about 1 µs per
    /// request; from a parsed handle it copies the parts. Nil until first needed, or when libcurl's
    /// parser refused the URL (then the transfer reports libcurl's own error, as with a plain URL).
    private var urlHandle: OpaquePointer?
    private var appliedOptions: HTTPClientOptions?
    private var appliedBufferSize = CurlTransfer.defaultBuffer
    /// The user scope, and whether the method options of a plain GET and a cookie header are set on the
    /// handle: a pooled handle mostly carries the same kind of request again, and an unchanged option is
    /// not set again (each `curl_easy_setopt` is a varargs call through a large switch).
    private var appliedScope: UInt32?
    private var appliedPlainGet = false
    private var appliedCookie = true

    /// libcurl's receive buffer, which it allocates for each transfer in flight, sized from the user's
    /// last response (see ``receiveBuffer(forResponseBytes:)``): 4 KiB for small responses and for a
    /// user's first request (a thousand transfers in flight hold a thousand buffers: during a ramp they
    /// were most of the peak memory), libcurl's default 16 KiB up to 16 KiB, 64 KiB beyond, so that a
    /// large body takes a quarter of the `recv` calls and write callbacks (64 KiB bodies: 6 system calls
    /// per request instead of 12).
    static let smallBuffer = 4 * 1024
    static let defaultBuffer = 16 * 1024
    static let largeBuffer = 64 * 1024

    /// The receive buffer for a response like one of `bytes` (headers and body).
    static func receiveBuffer(forResponseBytes bytes: Int) -> Int {
        bytes <= smallBuffer - 512 ? smallBuffer : bytes <= defaultBuffer ? defaultBuffer : largeBuffer
    }
    private var headerList: UnsafeMutablePointer<curl_slist>?
    private let poller: EventPoller
    /// `--source-addresses`, as installed when the handle was made, and the current user's address.
    private let sources: SourceAddressTable?
    private var source: SourceAddressTable.Address?
    private let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)

    init(poller: EventPoller) {
        guard let easy = curl_easy_init() else { fatalError("curl_easy_init failed: out of memory") }
        self.easy = easy
        self.poller = poller
        sources = SourceAddressTable.installed
        headers = HeaderBuffer()
        let me = Unmanaged.passUnretained(self).toOpaque()
        // The engine thread's poller lives as long as the process's engine, longer than any connection.
        let pollerPointer = Unmanaged.passUnretained(poller).toOpaque()
        _ = locust_easy_setopt_ptr(easy, CURLOPT_OPENSOCKETDATA, me)
        _ = locust_easy_setopt_ptr(easy, CURLOPT_CLOSESOCKETDATA, pollerPointer)
        _ = locust_easy_setopt_opensocket_cb(easy) { client, _, address in
            guard let address, let client else { return -1 }
            // The transfer owns the easy handle, so it outlives the handle's callbacks: borrowed.
            return Unmanaged<CurlTransfer>.fromOpaque(client)._withUnsafeGuaranteedRef { $0.openSocket(address.pointee) }
        }
        _ = locust_easy_setopt_closesocket_cb(easy) { client, fd in
            if let client {
                Unmanaged<EventPoller>.fromOpaque(client)._withUnsafeGuaranteedRef { $0.closed(fd) }
            }
            return close(fd)
        }
        _ = locust_easy_setopt_long(easy, CURLOPT_NOSIGNAL, 1)
        _ = locust_easy_setopt_long(easy, CURLOPT_TCP_NODELAY, 1)
        _ = locust_easy_setopt_long(easy, CURLOPT_FOLLOWLOCATION, 1)
        _ = locust_easy_setopt_long(easy, CURLOPT_MAXREDIRS, 10)
        _ = locust_easy_setopt_ptr(easy, CURLOPT_PRIVATE, me)
        _ = locust_easy_setopt_ptr(easy, CURLOPT_WRITEDATA, me)
        _ = locust_easy_setopt_ptr(easy, CURLOPT_ERRORBUFFER, errorBuffer)
        _ = locust_easy_setopt_data_cb(easy, CURLOPT_WRITEFUNCTION) { data, size, count, user in
            let length = size * count
            guard let data, let user else { return length }
            // _withUnsafeGuaranteedRef: the transfer outlives its easy handle's callbacks (it owns the
            // handle), so the callback borrows it without a retain/release pair.
            Unmanaged<CurlTransfer>.fromOpaque(user)._withUnsafeGuaranteedRef { $0.receive(data, length) }
            return length
        }
        _ = locust_easy_setopt_ptr(easy, CURLOPT_HEADERDATA, Unmanaged.passUnretained(headers).toOpaque())
        _ = locust_easy_setopt_data_cb(easy, CURLOPT_HEADERFUNCTION) { data, size, count, user in
            let length = size * count
            guard let data, let user else { return length }
            // The transfer's header buffer lives as long as the transfer and its easy handle: borrowed.
            Unmanaged<HeaderBuffer>.fromOpaque(user)._withUnsafeGuaranteedRef { $0.append(UnsafeRawPointer(data), length) }
            return length
        }
        _ = "".withCString { locust_easy_setopt_ptr(easy, CURLOPT_ACCEPT_ENCODING, $0) }
        if !Self.proxiesInEnvironment {
            // Without proxy variables there is nothing for libcurl to find: spare it the six getenv
            // calls and the proxy parsing it does for every transfer.
            _ = "".withCString { locust_easy_setopt_ptr(easy, CURLOPT_PROXY, $0) }
            _ = "".withCString { locust_easy_setopt_ptr(easy, CURLOPT_NOPROXY, $0) }
        }
        _ = "SwiftLocust/\(LocustABI.productVersion)".withCString { locust_easy_setopt_ptr(easy, CURLOPT_USERAGENT, $0) }
    }

    deinit {
        curl_easy_cleanup(easy)
        if let urlHandle { curl_url_cleanup(urlHandle) }
        if let headerList { curl_slist_free_all(headerList) }
        errorBuffer.deallocate()
    }

    /// True when the process started with a proxy variable that libcurl reads (`http_proxy`,
    /// `https_proxy`, `all_proxy`, any case): then libcurl keeps choosing the proxy per transfer.
    static let proxiesInEnvironment: Bool = {
        let names: Set<String> = ["http_proxy", "https_proxy", "all_proxy"]
        return ProcessInfo.processInfo.environment.contains { names.contains($0.key.lowercased()) && !$0.value.isEmpty }
    }()

    /// libcurl's open-socket callback: a socket for `address`, bound to the user's source address
    /// when there is one of the same family, and recorded by the poller.
    private func openSocket(_ address: curl_sockaddr) -> Int32 {
        let fd = socket(address.family, address.socktype | Int32(SOCK_CLOEXEC.rawValue), address.protocol)
        guard fd >= 0 else { return fd }
        if let source, source.family == address.family, SourceAddressTable.bind(fd, to: source) != nil {
            close(fd)
            return -1  // CURL_SOCKET_BAD: libcurl reports the connection as failed
        }
        poller.opened(fd)
        return fd
    }

    static func from(easy: UnsafeMutableRawPointer) -> CurlTransfer? {
        var pointer: UnsafeMutableRawPointer?
        guard locust_easy_getinfo_ptr(easy, CURLINFO_PRIVATE, &pointer) == CURLE_OK, let pointer else { return nil }
        return Unmanaged<CurlTransfer>.fromOpaque(pointer).takeUnretainedValue()
    }

    /// Sets the handle up for `request`; returns an error message when an option was refused.
    func prepare(_ request: PendingRequest) -> String? {
        continuation = request.continuation
        owner = request.owner
        body.removeAll(keepingCapacity: true)
        headers.reset()
        errorBuffer[0] = 0
        if appliedScope != request.slot.scope {
            _ = locust_easy_setopt_long(easy, CURLOPT_ADDRESS_SCOPE, Int(request.slot.scope))
            appliedScope = request.slot.scope
            source = sources?.address(forScope: request.slot.scope)
        }
        // libcurl keeps its own copy of the URL, and restores it after a redirect of the last transfer
        // (Curl_pretransfer): set it only when it changes, sparing a strdup and a free per request.
        if request.url != appliedURL {
            appliedURL = ""
            let code = request.url.withCString { locust_easy_setopt_ptr(easy, CURLOPT_URL, $0) }
            guard code == CURLE_OK else { return "InvalidURL: \(request.url)" }
            setParsedURL(request.url)
            appliedURL = request.url
        }
        setMethod(request)

        var list: UnsafeMutablePointer<curl_slist>?
        for line in request.headerLines {
            list = line.withCString { curl_slist_append(list, $0) }
        }
        if request.body != nil {
            // No "Expect: 100-continue" round trip, and no made-up form content type.
            list = curl_slist_append(list, "Expect:")
            if !request.headerLines.contains(where: { $0.utf8.count >= 13 && $0.lowercased().hasPrefix("content-type:") }) {
                list = curl_slist_append(list, "Content-Type:")
            }
        }
        if list != nil || headerList != nil {
            _ = locust_easy_setopt_slist(easy, CURLOPT_HTTPHEADER, list)
            if let headerList { curl_slist_free_all(headerList) }
            headerList = list
        }

        if let cookie = request.cookieHeader {
            _ = cookie.withCString { locust_easy_setopt_ptr(easy, CURLOPT_COOKIE, $0) }
            appliedCookie = true
        } else if appliedCookie {
            _ = locust_easy_setopt_ptr(easy, CURLOPT_COOKIE, nil)
            appliedCookie = false
        }
        let bufferSize = request.receiveBuffer
        if bufferSize != appliedBufferSize {
            _ = locust_easy_setopt_long(easy, CURLOPT_BUFFERSIZE, bufferSize)
            appliedBufferSize = bufferSize
        }
        // A user class's options rarely differ from the last request's on this handle.
        let options = request.options
        if options != appliedOptions {
            _ = locust_easy_setopt_long(easy, CURLOPT_SSL_VERIFYPEER, options.verifyTLS ? 1 : 0)
            _ = locust_easy_setopt_long(easy, CURLOPT_SSL_VERIFYHOST, options.verifyTLS ? 2 : 0)
            _ = locust_easy_setopt_long(
                easy, CURLOPT_HTTP_VERSION, options.http2 ? Int(CURL_HTTP_VERSION_2TLS) : Int(CURL_HTTP_VERSION_1_1))
            _ = locust_easy_setopt_long(easy, CURLOPT_FOLLOWLOCATION, options.followRedirects ? 1 : 0)
            appliedOptions = options
        }
        return nil
    }

    /// Gives libcurl `url` already parsed, with the flags libcurl itself parses a URL string with
    /// (the string stays set too: libcurl reports it, and sends it as the referer of a redirect).
    /// Only a URL with an `http://` or `https://` scheme: the handle resolves anything else relative to
    /// the URL it held before, as for a redirect.
    private func setParsedURL(_ url: String) {
        var parsed = false
        if Self.hasHTTPScheme(url) {
            if urlHandle == nil { urlHandle = curl_url() }
            if let urlHandle {
                let flags = UInt32(CURLU_GUESS_SCHEME) | UInt32(CURLU_NON_SUPPORT_SCHEME)
                parsed = url.withCString { curl_url_set(urlHandle, CURLUPART_URL, $0, flags) } == CURLUE_OK
            }
        }
        _ = locust_easy_setopt_ptr(easy, CURLOPT_CURLU, parsed ? urlHandle.map(UnsafeRawPointer.init) : nil)
    }

    /// True when `url` starts with `http://` or `https://`, in any case.
    static func hasHTTPScheme(_ url: String) -> Bool {
        var utf8 = url.utf8.makeIterator()
        for expected in "http".utf8 {
            guard let byte = utf8.next(), (byte | 0x20) == expected else { return false }
        }
        var byte = utf8.next()
        if let letter = byte, (letter | 0x20) == UInt8(ascii: "s") { byte = utf8.next() }
        return byte == UInt8(ascii: ":") && utf8.next() == UInt8(ascii: "/") && utf8.next() == UInt8(ascii: "/")
    }

    private func setMethod(_ request: PendingRequest) {
        let plainGet = request.method == .get && request.body == nil
        defer { appliedPlainGet = plainGet }
        switch (request.method, request.body) {
        case (.get, nil):
            if appliedPlainGet { return }
            // HTTPGET also turns NOBODY off.
            _ = locust_easy_setopt_long(easy, CURLOPT_HTTPGET, 1)
            _ = locust_easy_setopt_ptr(easy, CURLOPT_CUSTOMREQUEST, nil)
        case (.head, _):
            _ = locust_easy_setopt_long(easy, CURLOPT_HTTPGET, 1)
            _ = locust_easy_setopt_ptr(easy, CURLOPT_CUSTOMREQUEST, nil)
            _ = locust_easy_setopt_long(easy, CURLOPT_NOBODY, 1)
        case (.delete, nil), (.options, nil):
            _ = locust_easy_setopt_long(easy, CURLOPT_HTTPGET, 1)
            _ = request.method.rawValue.withCString { locust_easy_setopt_ptr(easy, CURLOPT_CUSTOMREQUEST, $0) }
        default:
            // A pooled handle may come from a HEAD: clear NOBODY before the body makes it a POST.
            _ = locust_easy_setopt_long(easy, CURLOPT_NOBODY, 0)
            let bytes = request.body ?? []
            _ = locust_easy_setopt_off(easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(bytes.count))
            _ = bytes.withUnsafeBytes { locust_easy_setopt_ptr(easy, CURLOPT_COPYPOSTFIELDS, $0.baseAddress ?? UnsafeRawPointer(errorBuffer)) }
            if request.method == .post {
                _ = locust_easy_setopt_ptr(easy, CURLOPT_CUSTOMREQUEST, nil)
            } else {
                _ = request.method.rawValue.withCString { locust_easy_setopt_ptr(easy, CURLOPT_CUSTOMREQUEST, $0) }
            }
        }
    }

    /// Appends a chunk of the response body (libcurl's write callback).
    func receive(_ data: UnsafeMutablePointer<CChar>, _ length: Int) {
        if body.isEmpty && length >= 4096 {
            // A large first chunk: size the body once from Content-Length instead of growing it chunk
            // by chunk (a small body fits in its first chunk).
            var expected: curl_off_t = -1
            if locust_easy_getinfo_off(easy, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &expected) == CURLE_OK,
                expected > length, expected <= 64 << 20
            {
                body.reserveCapacity(Int(expected))
            }
        }
        data.withMemoryRebound(to: UInt8.self, capacity: length) {
            body.append(contentsOf: UnsafeBufferPointer(start: $0, count: length))
        }
    }

    /// Resumes the waiting user with the outcome of a finished transfer.
    func complete(_ code: CURLcode) {
        guard let continuation else { return }
        self.continuation = nil
        owner = nil
        var status = 0
        var error: String?
        if code == CURLE_OK {
            var value = 0
            _ = locust_easy_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &value)
            status = value
        } else {
            error = Self.describe(code, errorBuffer)
        }
        var total: curl_off_t = 0
        let timed = locust_easy_getinfo_off(easy, CURLINFO_TOTAL_TIME_T, &total) == CURLE_OK && total > 0
        let elapsed = timed ? UInt64(total) * 1000 : MonotonicClock.nanoseconds() &- launchedAt
        let result = TransferResult(
            status: status, body: body, headerBytes: headers.bytes(), setsCookies: headers.sawSetCookie, error: error,
            elapsedNanos: elapsed &+ heldNanos, cancelled: false)
        body = []
        continuation.resume(returning: result)
    }

    /// Resumes the waiting user of a transfer that outlived its timeout (already removed from its multi
    /// handle, which closes the connection as libcurl's own timeout would).
    func timedOut(now: UInt64) {
        guard let continuation else { return }
        self.continuation = nil
        owner = nil
        body = []
        continuation.resume(returning: TransferResult(
            status: 0, body: [], headerBytes: [], error: Self.describe(CURLE_OPERATION_TIMEDOUT, errorBuffer),
            elapsedNanos: (now &- launchedAt) &+ heldNanos, cancelled: false))
    }

    /// Resumes the waiting user without a response: the request never reached curl.
    func finishEarly(_ message: String) {
        guard let continuation else { return }
        self.continuation = nil
        owner = nil
        continuation.resume(returning: TransferResult(
            status: 0, body: [], headerBytes: [], error: message,
            elapsedNanos: (MonotonicClock.nanoseconds() &- launchedAt) &+ heldNanos, cancelled: false))
    }

    /// Resumes the waiting user of an aborted transfer; nothing is recorded for it.
    func cancel() {
        guard let continuation else { return }
        self.continuation = nil
        owner = nil
        body = []
        continuation.resume(returning: TransferResult(
            status: 0, body: [], headerBytes: [], error: "CancelledError: the user was stopped",
            elapsedNanos: 0, cancelled: true))
    }

    /// A Locust-like error text: the kind of failure, then libcurl's own words.
    static func describe(_ code: CURLcode, _ buffer: UnsafeMutablePointer<CChar>) -> String {
        var detail = buffer[0] != 0 && code != CURLE_OPERATION_TIMEDOUT
            ? String(cString: buffer) : String(cString: curl_easy_strerror(code))
        // "Failed to connect to h port p after 3 ms: ..." - drop the timing so that failures group.
        if let range = detail.range(of: " after "), let end = detail[range.upperBound...].range(of: " ms") {
            let digits = detail[range.upperBound..<end.lowerBound]
            if !digits.isEmpty && digits.allSatisfy(\.isNumber) {
                detail.removeSubrange(range.lowerBound..<end.upperBound)
            }
        }
        let kind: String
        switch code {
        case CURLE_COULDNT_CONNECT: kind = "ConnectionRefusedError"
        case CURLE_OPERATION_TIMEDOUT: kind = "TimeoutError"
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY: kind = "NameResolutionError"
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CACERT_BADFILE:
            kind = "SSLError"
        case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL: kind = "InvalidURL"
        case CURLE_GOT_NOTHING, CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_PARTIAL_FILE:
            kind = "ConnectionError"
        case CURLE_TOO_MANY_REDIRECTS: kind = "TooManyRedirects"
        default: kind = "CurlError"
        }
        return "\(kind): \(detail)"
    }
}
