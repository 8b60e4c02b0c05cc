import Foundation

/// The web UI's options, checked.
struct WebSettings: Sendable {
    var host: String
    var port: Int
    /// `user:password` for basic authentication, split.
    var auth: (user: String, password: String)?
    var tlsCert: String?
    var tlsKey: String?
    /// The path prefix the UI is served under: "" or "/something" (no trailing slash).
    var basePath: String
    var autostart: Bool
    /// Seconds to wait after a test ends before exiting; nil never exits by itself.
    var autoquit: Int?
    var htmlReport: String?

    init(options: RunOptions) throws {
        host = options.webHost
        guard (0...65535).contains(options.webPort) else {
            throw RunnerError.badInput("--web-port must be 0-65535, got \(options.webPort)")
        }
        port = options.webPort
        if let auth = options.webAuth {
            guard let colon = auth.firstIndex(of: ":"), colon != auth.startIndex else {
                throw RunnerError.badInput("invalid --web-auth: use user:password")
            }
            self.auth = (String(auth[..<colon]), String(auth[auth.index(after: colon)...]))
        }
        switch (options.tlsCert, options.tlsKey) {
        case (nil, nil): break
        case (let cert?, let key?):
            for (flag, path) in [("--tls-cert", cert), ("--tls-key", key)] where !FileManager.default.isReadableFile(atPath: path) {
                throw RunnerError.badInput("\(flag) '\(path)': no readable file there")
            }
            tlsCert = cert
            tlsKey = key
        default:
            throw RunnerError.badInput("--tls-cert and --tls-key go together")
        }
        var base = options.webBasePath ?? ""
        while base.hasSuffix("/") { base.removeLast() }
        if !base.isEmpty && !base.hasPrefix("/") { base = "/" + base }
        guard !base.contains("?"), !base.contains("#"), !base.contains(" ") else {
            throw RunnerError.badInput("invalid --web-base-path '\(options.webBasePath ?? "")'")
        }
        basePath = base
        autostart = options.autostart
        if let autoquit = options.autoquit, autoquit < 0 {
            throw RunnerError.badInput("--autoquit must be 0 or more seconds, got \(autoquit)")
        }
        autoquit = options.autoquit
        htmlReport = options.html
    }
}
