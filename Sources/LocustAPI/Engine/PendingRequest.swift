/// A request on its way to an engine thread: everything a pooled curl handle needs, and the
/// continuation to resume with the outcome.
struct PendingRequest: @unchecked Sendable {
    // @unchecked Sendable: the continuation is resumed exactly once, on the engine thread that owns the
    // transfer; every other field is an immutable value.
    var method: HTTPMethod
    var url: String
    var headerLines: [String]
    var body: [UInt8]?
    var timeoutMilliseconds: Int
    var cookieHeader: String?
    var options: HTTPClientOptions
    var owner: ObjectIdentifier
    var slot: ConnectionSlot
    /// The size of libcurl's receive buffer for this transfer, from the user's last response.
    var receiveBuffer: Int = CurlTransfer.smallBuffer
    /// When the engine thread held the request back (monotonic ns; 0: it never did).
    var heldSince: UInt64 = 0
    var continuation: UnsafeContinuation<TransferResult, Never>
}

/// What the engine hands back for one request.
struct TransferResult: Sendable {
    /// The HTTP status, 0 when no response arrived.
    var status: Int
    var body: [UInt8]
    /// Raw header bytes of the final response (status line included).
    var headerBytes: [UInt8]
    /// True when the headers include a `Set-Cookie` line.
    var setsCookies: Bool = false
    /// The transport error, nil when a response arrived.
    var error: String?
    /// The response time: libcurl's own duration of the transfer (`CURLINFO_TOTAL_TIME_T`, redirects
    /// included) plus the time the engine held the request back; the engine's clock from the launch when
    /// libcurl has no duration (the transfer never started). 0 for a cancelled request (not recorded).
    var elapsedNanos: UInt64
    /// True when the transfer was aborted because its user was stopped.
    var cancelled: Bool
}
