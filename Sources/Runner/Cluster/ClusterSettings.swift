import Foundation

/// The distributed-mode options, checked.
public struct ClusterSettings: Sendable {
    /// The role of this process.
    public enum Role: Sendable { case standalone, master, slave }

    public var role: Role
    public var masterHost: String
    public var masterPort: Int
    public var masterBindHost: String
    public var masterBindPort: Int
    public var expectSlaves: Int
    public var expectSlavesMaxWait: Double
    public var masterTimeout: Double
    /// `--cluster-token` (or the first line of `--cluster-token-file`); nil: none, Locust's open protocol.
    var token: String?
    /// `--cluster-tls-cert/--cluster-tls-key/--cluster-tls-ca`, loaded; nil: no TLS.
    var tls: ClusterTLSSettings?

    /// Whether the coordinator authenticates its peers: a token, or mutual TLS (on the master a CA
    /// that must sign every slave's certificate; on a slave, its own certificate and a CA for the
    /// master's). Code received over the network (`-f -`) runs only then.
    var isAuthenticated: Bool { token != nil || tls?.isMutual == true || (role == .master && tls?.trustRoots != nil) }

    /// Checks `options`.
    public init(options: RunOptions) throws {
        if options.master && options.slave {
            throw RunnerError.badInput("--master and --slave/--worker exclude each other")
        }
        role = options.master ? .master : options.slave ? .slave : .standalone
        masterHost = options.masterHost
        masterBindHost = options.masterBindHost
        guard (1...65535).contains(options.masterPort) else {
            throw RunnerError.badInput("--master-port must be 1-65535, got \(options.masterPort)")
        }
        guard (0...65535).contains(options.masterBindPort) else {
            throw RunnerError.badInput("--master-bind-port must be 0-65535, got \(options.masterBindPort)")
        }
        masterPort = options.masterPort
        masterBindPort = options.masterBindPort
        guard options.expectSlaves >= 1 else {
            throw RunnerError.badInput("--expect-slaves must be 1 or more, got \(options.expectSlaves)")
        }
        expectSlaves = options.expectSlaves
        guard let wait = TimeSpan.seconds(options.expectSlavesMaxWait) else {
            throw RunnerError.badInput("invalid --expect-slaves-max-wait '\(options.expectSlavesMaxWait)'")
        }
        expectSlavesMaxWait = wait
        guard let timeout = TimeSpan.seconds(options.masterTimeout), timeout > 0 else {
            throw RunnerError.badInput("invalid --master-timeout '\(options.masterTimeout)'")
        }
        masterTimeout = timeout
        if options.clusterToken != nil && options.clusterTokenFile != nil {
            throw RunnerError.badInput("--cluster-token and --cluster-token-file exclude each other")
        }
        if let path = options.clusterTokenFile {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw RunnerError.badInput("cannot read --cluster-token-file '\(path)'")
            }
            token = text.split(whereSeparator: \.isNewline).first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
            guard token?.isEmpty == false else { throw RunnerError.badInput("--cluster-token-file '\(path)' is empty") }
        } else if let given = options.clusterToken {
            guard !given.isEmpty else { throw RunnerError.badInput("--cluster-token is empty") }
            token = given
        }
        tls = try ClusterTLSSettings(options: options, role: role)
        if let token, ZMQCurve(token: token) == nil {
            throw RunnerError.badInput("--cluster-token needs libzmq with CURVE (libsodium): this one has none")
        }
    }
}
