import ArgumentParser

/// The command line of `locust`, with Locust's option names and the older ones its users know.
public struct RunOptions: ParsableArguments, Sendable {
    /// Creates options with their defaults.
    public init() {}

    @Option(name: [.customShort("f"), .customLong("locustfile")], help: "The scenario plugin (.so) to run.")
    public var locustfile: String?

    @Option(name: [.customShort("H"), .customLong("host")], help: "The host to load test, e.g. http://127.0.0.1:8080.")
    public var host: String?

    @Option(
        name: [.customShort("u"), .customShort("c"), .customLong("users"), .customLong("clients")],
        help: "Peak number of concurrent users.")
    public var users: Int?

    @Option(
        name: [.customShort("r"), .customLong("spawn-rate"), .customLong("hatch-rate")],
        help: "Users started per second.")
    public var spawnRate: Double?

    @Option(name: [.customShort("t"), .customLong("run-time")], help: "Stop after this time: 30s, 5m, 1h30m.")
    public var runTime: String?

    @Flag(name: [.customLong("headless"), .customLong("no-web")], help: "Run without the web UI; start at once.")
    public var headless = false

    @Option(name: .customLong("web-host"), help: "Where the web UI listens (default all interfaces).")
    public var webHost: String = "0.0.0.0"

    @Option(name: .customLong("web-port"), help: "The web UI's port (default 8089).")
    public var webPort: Int = 8089

    @Option(name: .customLong("web-auth"), help: "Require HTTP basic authentication on the web UI and API: user:password.")
    public var webAuth: String?

    @Option(name: .customLong("tls-cert"), help: "Serve the web UI over HTTPS with this PEM certificate (with --tls-key).")
    public var tlsCert: String?

    @Option(name: .customLong("tls-key"), help: "The PEM private key of --tls-cert.")
    public var tlsKey: String?

    @Option(name: .customLong("web-base-path"), help: "Serve the web UI under this path, e.g. /locust behind a reverse proxy.")
    public var webBasePath: String?

    @Flag(name: .customLong("autostart"), help: "Start the test at once with -u/-r/-t; the web UI is still served.")
    public var autostart = false

    @Option(name: .customLong("autoquit"), help: "Exit this many seconds after the test ends (with --autostart, or headless).")
    public var autoquit: Int?

    @Option(name: .customLong("html"), help: "Write the HTML report to this file when the run ends.")
    public var html: String?

    @Flag(name: [.customShort("l"), .customLong("list")], help: "List the user classes with their tasks and weights, then exit.")
    public var list = false

    @Option(name: .customLong("stop-timeout"), help: "Seconds users get to finish their task when the test stops (default 0: at once).")
    public var stopTimeout: String?

    @Option(name: .customLong("csv"), help: "Write statistics to PREFIX_stats.csv, PREFIX_failures.csv, PREFIX_exceptions.csv, PREFIX_stats_history.csv.")
    public var csv: String?

    @Flag(name: .customLong("csv-full-history"), help: "Write every statistics row to the history file, not only the aggregate.")
    public var csvFullHistory = false

    @Flag(name: .customLong("print-stats"), help: "Print the statistics table every 2 s: the default when headless; on a slave, its own statistics.")
    public var printStats = false

    @Flag(name: .customLong("only-summary"), help: "Print only the final summary, not the table every 2 s.")
    public var onlySummary = false

    @Flag(name: .customLong("reset-stats"), help: "Reset statistics once all users are spawned.")
    public var resetStats = false

    @Option(name: .customLong("exit-code-on-error"), help: "Exit code when a request failed or a task threw (default 1).")
    public var exitCodeOnError: Int = 1

    @Option(name: [.customShort("L"), .customLong("loglevel")], help: "DEBUG, INFO, WARNING, ERROR or CRITICAL.")
    public var loglevel: String = "INFO"

    @Option(name: .customLong("logfile"), help: "Also write the log to this file.")
    public var logfile: String?

    @Option(name: .customLong("config"), help: "A config file (key = value lines; default ~/.locust.conf then ./locust.conf).")
    public var config: String?

    @Flag(name: [.customShort("V"), .customLong("version")], help: "Print the version and exit.")
    public var version = false

    @Flag(name: .customLong("master"), help: "Run as the master of a distributed test: the web UI (or headless control), no users.")
    public var master = false

    @Flag(name: [.customLong("slave"), .customLong("worker")], help: "Run as a slave of a master: simulate the users it assigns.")
    public var slave = false

    @Option(name: .customLong("master-host"), help: "The master a slave connects to (default 127.0.0.1).")
    public var masterHost = "127.0.0.1"

    @Option(name: .customLong("master-port"), help: "The master's port a slave connects to (default 5557).")
    public var masterPort = 5557

    @Option(name: .customLong("master-bind-host"), help: "Where the master listens (default all interfaces).")
    public var masterBindHost = "0.0.0.0"

    @Option(name: .customLong("master-bind-port"), help: "The port the master listens on (default 5557).")
    public var masterBindPort = 5557

    @Option(
        name: [.customLong("expect-slaves"), .customLong("expect-workers")],
        help: "A headless master waits for this many slaves before starting (default 1).")
    public var expectSlaves = 1

    @Option(
        name: [.customLong("expect-slaves-max-wait"), .customLong("expect-workers-max-wait")],
        help: "How long a headless master waits for them before giving up (default 60s).")
    public var expectSlavesMaxWait = "60s"

    @Option(name: .customLong("master-timeout"), help: "A slave exits after its master was unreachable or silent this long (default 60s).")
    public var masterTimeout = "60s"

    @Argument(help: "Run only these user classes.")
    public var userClasses: [String] = []
}
