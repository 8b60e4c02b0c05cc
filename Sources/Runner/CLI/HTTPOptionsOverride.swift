@_spi(Runner) import LocustAPI

/// `--insecure` and `--http1`: settings of the command line that win over every user class's own
/// `httpOptions` (LocustAPI's ``HTTPClientOptions``), for the users this process runs.
///
/// Only what the command line asks for changes: without a flag, each class keeps its own setting.
public struct HTTPOptionsOverride: Sendable, Equatable {
    /// `--insecure`: do not verify the servers' TLS certificates and host names.
    public var skipTLSVerification: Bool
    /// `--http1`: offer HTTP/1.1 only, never HTTP/2.
    public var http1Only: Bool

    /// Creates an override; the defaults change nothing.
    public init(skipTLSVerification: Bool = false, http1Only: Bool = false) {
        self.skipTLSVerification = skipTLSVerification
        self.http1Only = http1Only
    }

    /// Whether it changes nothing.
    public var isEmpty: Bool { !skipTLSVerification && !http1Only }

    /// A class's options with the command line's applied.
    public func applied(to options: HTTPClientOptions) -> HTTPClientOptions {
        var result = options
        if skipTLSVerification { result.verifyTLS = false }
        if http1Only { result.http2 = false }
        return result
    }
}
