import ArgumentParser

/// What a run prints and writes: tables, CSV, HTML and JSON files, the log, the exit code.
public struct ReportingOptions: ParsableArguments, Sendable {
    /// Creates options with their defaults.
    public init() {}

    /// `--csv`: the prefix of the CSV files.
    @Option(
        name: .customLong("csv"),
        help: ArgumentHelp(
            "Write statistics to PREFIX_stats.csv, PREFIX_failures.csv, PREFIX_exceptions.csv, PREFIX_stats_history.csv.",
            valueName: "PREFIX"))
    public var csv: String?

    /// `--csv-full-history`: every row in the history file.
    @Flag(name: .customLong("csv-full-history"), help: "Write every statistics row to the history file, not only the aggregate.")
    public var csvFullHistory = false

    /// `--html`: the HTML report's path.
    @Option(name: .customLong("html"), help: ArgumentHelp("Write the HTML report to this file when the run ends.", valueName: "PATH"))
    public var html: String?

    /// `--json`: print the final statistics as JSON.
    @Flag(name: .customLong("json"), help: "Print the final statistics as JSON (Locust's shape) to standard output.")
    public var json = false

    /// `--json-file`: the JSON file's path as typed (``RunSettings`` appends `.json`).
    @Option(
        name: .customLong("json-file"),
        help: ArgumentHelp(
            "Write the final statistics as JSON to PATH.json, as Locust names it (a PATH ending in .json is used as it is).",
            valueName: "PATH"))
    public var jsonFile: String?

    /// `--print-stats`: print the table every 2 s (also on a slave).
    @Flag(
        name: .customLong("print-stats"),
        help: "Print the statistics table every 2 s: the default when headless; on a slave, its own statistics.")
    public var printStats = false

    /// `--only-summary`: print only the final summary.
    @Flag(name: .customLong("only-summary"), help: "Print only the final summary, not the table every 2 s.")
    public var onlySummary = false

    /// `--reset-stats`: reset statistics once all users are spawned.
    @Flag(name: .customLong("reset-stats"), help: "Reset statistics once all users are spawned.")
    public var resetStats = false

    /// `--threshold`: pass/fail criteria checked at the end (repeatable).
    @Option(
        name: .customLong("threshold"),
        help: ArgumentHelp(
            "A pass/fail criterion, e.g. 'p95<300', 'fail_ratio<0.01', 'avg<100', 'rps>500', 'GET /items/[id]:p99<500' (repeatable); any failed one exits 3.",
            valueName: "EXPR"))
    public var thresholds: [String] = []

    /// `--threshold-abort`: stop the test as soon as an upper-bound threshold fails.
    @Flag(
        name: .customLong("threshold-abort"),
        help: "Stop the test as soon as a threshold with < or <= fails (checked every second after the first 10 s).")
    public var thresholdAbort = false

    /// `--exit-code-on-error`: the exit code of a run with failures.
    @Option(name: .customLong("exit-code-on-error"), help: ArgumentHelp("Exit code when a request failed or a task threw.", valueName: "CODE"))
    public var exitCodeOnError: Int = 1

    /// `-L`: the log level's name.
    @Option(name: [.customShort("L"), .customLong("loglevel")], help: ArgumentHelp("DEBUG, INFO, WARNING, ERROR or CRITICAL.", valueName: "LEVEL"))
    public var loglevel: String = "INFO"

    /// `--logfile`: also log to this file.
    @Option(name: .customLong("logfile"), help: ArgumentHelp("Also write the log to this file.", valueName: "PATH"))
    public var logfile: String?
}
