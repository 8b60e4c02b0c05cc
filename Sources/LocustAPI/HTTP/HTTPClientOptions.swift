/// Settings of a user's HTTP client, declared once per user class.
///
/// ```swift
/// final class SecureUser: User {
///     static let httpOptions = HTTPClientOptions(verifyTLS: false, timeout: .seconds(10))
///     // ...
/// }
/// ```
public struct HTTPClientOptions: Sendable, Hashable {
    /// Verify the server's TLS certificate and host name (turn off for self-signed test servers).
    public var verifyTLS: Bool
    /// Offer HTTP/2 over TLS (ALPN); plain `http://` always speaks HTTP/1.1.
    public var http2: Bool
    /// Follow redirects, as Locust's `HttpUser` does.
    public var followRedirects: Bool
    /// The timeout of a request that sets none of its own.
    public var timeout: Duration

    /// Creates client settings; the defaults match Locust's `FastHttpUser` (60 s network timeout).
    public init(verifyTLS: Bool = true, http2: Bool = true, followRedirects: Bool = true, timeout: Duration = .seconds(60)) {
        self.verifyTLS = verifyTLS
        self.http2 = http2
        self.followRedirects = followRedirects
        self.timeout = timeout
    }
}
