import ArgumentParser

/// The options of a distributed test: the master's and the slaves' (Locust's workers).
public struct DistributedOptions: ParsableArguments, Sendable {
    /// Creates options with their defaults.
    public init() {}

    /// `--master`: run as the master.
    @Flag(
        name: .customLong("master"),
        help: """
            Run as the master of a distributed test: serve the web UI (or, with --headless, run -u/-r/-t at \
            once) and aggregate the slaves' statistics. The master simulates no users.
            """)
    public var master = false

    /// `--slave`, `--worker`: run as a slave.
    @Flag(name: [.customLong("slave"), .customLong("worker")], help: "Run as a slave of a master: simulate the users it assigns.")
    public var slave = false

    /// `--master-host`: the master a slave connects to.
    @Option(name: .customLong("master-host"), help: ArgumentHelp("The master a slave connects to.", valueName: "HOST"))
    public var masterHost = "127.0.0.1"

    /// `--master-port`: the master's port a slave connects to.
    @Option(name: .customLong("master-port"), help: ArgumentHelp("The master's port a slave connects to.", valueName: "PORT"))
    public var masterPort = 5557

    /// `--master-bind-host`: where the master listens.
    @Option(name: .customLong("master-bind-host"), help: ArgumentHelp("Where the master listens; 0.0.0.0 is every interface.", valueName: "HOST"))
    public var masterBindHost = "0.0.0.0"

    /// `--master-bind-port`: the port the master listens on.
    @Option(name: .customLong("master-bind-port"), help: ArgumentHelp("The port the master listens on.", valueName: "PORT"))
    public var masterBindPort = 5557

    /// `--expect-slaves`: how many slaves a headless master waits for.
    @Option(
        name: [.customLong("expect-slaves"), .customLong("expect-workers")],
        help: ArgumentHelp("A headless (or --autostart) master waits for this many slaves before starting.", valueName: "N"))
    public var expectSlaves = 1

    /// `--expect-slaves-max-wait`: for how long, as typed.
    @Option(
        name: [.customLong("expect-slaves-max-wait"), .customLong("expect-workers-max-wait")],
        help: ArgumentHelp("How long that master waits for them before giving up.", valueName: "SPAN"))
    public var expectSlavesMaxWait = "60s"

    /// `--cluster-token`: the shared secret of a master and its slaves.
    @Option(
        name: .customLong("cluster-token"),
        help: ArgumentHelp(
            "A secret shared by the master and its slaves: only peers with it can join, and the coordinator's traffic is encrypted (CurveZMQ). Locust's own workers cannot join a master with a token.",
            valueName: "TOKEN"))
    public var clusterToken: String?

    /// `--cluster-token-file`: the same, read from a file.
    @Option(
        name: .customLong("cluster-token-file"),
        help: ArgumentHelp("Read --cluster-token from this file (its first line), e.g. a Kubernetes secret.", valueName: "PATH"))
    public var clusterTokenFile: String?

    /// `--cluster-tls-cert`: this end's TLS certificate chain (PEM).
    @Option(
        name: .customLong("cluster-tls-cert"),
        help: ArgumentHelp(
            "TLS for the coordinator: this process's certificate chain (PEM). On the master it turns TLS on (with --cluster-tls-key); on a slave it is the client certificate a master with --cluster-tls-ca asks for. Locust's own workers cannot join a master with TLS.",
            valueName: "PATH"))
    public var clusterTLSCert: String?

    /// `--cluster-tls-key`: the private key of `--cluster-tls-cert` (PEM).
    @Option(name: .customLong("cluster-tls-key"), help: ArgumentHelp("The private key (PEM) of --cluster-tls-cert.", valueName: "PATH"))
    public var clusterTLSKey: String?

    /// `--cluster-tls-ca`: the certificates (PEM) this end trusts for the other end.
    @Option(
        name: .customLong("cluster-tls-ca"),
        help: ArgumentHelp(
            "TLS for the coordinator: the CA certificates (PEM) that sign the other end's certificate. On a slave it turns TLS on and checks the master's certificate (and its address or name); on the master it makes every slave show a certificate it signed (mutual TLS).",
            valueName: "PATH"))
    public var clusterTLSCA: String?

    /// `--master-timeout`: how long a slave waits for a silent master, as typed.
    @Option(
        name: .customLong("master-timeout"),
        help: ArgumentHelp("A slave exits after its master was unreachable or silent this long.", valueName: "SPAN"))
    public var masterTimeout = "60s"
}
