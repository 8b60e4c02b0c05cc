import ArgumentParser

/// The options of every run: the plugin, the target, how many users, for how long.
///
/// `users`, `spawnRate`, `runTime` and `stopTimeout` stay optional so that "not given" is told apart
/// from a value (config files and `LOCUST_*` variables are placed before the command line, which wins);
/// ``RunSettings`` applies the defaults that their help states.
public struct CommonOptions: ParsableArguments, Sendable {
    /// Creates options with their defaults.
    public init() {}

    /// `-f`: the plugin file; required for a run (checked by ``RunSettings``).
    @Option(name: [.customShort("f"), .customLong("locustfile")], help: ArgumentHelp("The scenario plugin to run.", valueName: "PLUGIN.so"))
    public var locustfile: String?

    /// `-H`: the target URL, which wins over each class's own host.
    @Option(
        name: [.customShort("H"), .customLong("host")],
        help: ArgumentHelp("The host to load test, e.g. http://127.0.0.1:8080.", valueName: "URL"))
    public var host: String?

    /// `-u`: the peak number of users; nil when not given (1).
    @Option(
        name: [.customShort("u"), .customShort("c"), .customLong("users"), .customLong("clients")],
        help: ArgumentHelp("Peak number of concurrent users. (default: 1)", valueName: "N"))
    public var users: Int?

    /// `-r`: users started per second; nil when not given (1).
    @Option(
        name: [.customShort("r"), .customLong("spawn-rate"), .customLong("hatch-rate")],
        help: ArgumentHelp("Users started per second. (default: 1)", valueName: "RATE"))
    public var spawnRate: Double?

    /// `-t`: the run time as typed (`30s`, `5m`); nil runs until stopped.
    @Option(
        name: [.customShort("t"), .customLong("run-time")],
        help: ArgumentHelp("Stop after this time: 30s, 5m, 1h30m. (default: run until stopped)", valueName: "SPAN"))
    public var runTime: String?

    /// `--headless`: no web UI, start at once.
    @Flag(name: [.customLong("headless"), .customLong("no-web")], help: "Run without the web UI; start at once.")
    public var headless = false

    /// `-s`: the stop timeout as typed; nil when not given (0).
    @Option(
        name: [.customShort("s"), .customLong("stop-timeout")],
        help: ArgumentHelp(
            "Time users get to finish their task when the test stops: seconds or 10s, 1m. (default: 0, at once)",
            valueName: "SPAN"))
    public var stopTimeout: String?

    /// `-l`: list the classes and exit.
    @Flag(name: [.customShort("l"), .customLong("list")], help: "List the user classes with their tasks and weights, then exit.")
    public var list = false

    /// `--config`: one more config file, read after the default ones.
    @Option(
        name: .customLong("config"),
        help: ArgumentHelp("A config file of key = value lines; ~/.locust.conf then ./locust.conf are read first.", valueName: "PATH"))
    public var config: String?
}
