import ArgumentParser

/// Options that change how the plugin's users run, or print something about them and exit.
public struct OtherOptions: ParsableArguments, Sendable {
    /// Creates options with their defaults.
    public init() {}

    /// `--show-task-ratio`: print the task ratios and exit.
    @Flag(name: .customLong("show-task-ratio"), help: "Print the task execution ratio of the user classes, then exit.")
    public var showTaskRatio = false

    /// `--show-task-ratio-json`: print them as JSON and exit.
    @Flag(name: .customLong("show-task-ratio-json"), help: "Print the same ratios as JSON, then exit.")
    public var showTaskRatioJSON = false

    /// `--equal-weights`: every task weight 1.
    @Flag(
        name: .customLong("equal-weights"),
        help: "Pick every task as often as the others, whatever weights the plugin gives them (class weights stay).")
    public var equalWeights = false

    /// `--insecure`: skip TLS verification for every class.
    @Flag(
        name: .customLong("insecure"),
        help: "Skip TLS certificate and host name checks for every user class, whatever its httpOptions say.")
    public var insecure = false

    /// `--http1`: no HTTP/2 for every class.
    @Flag(name: .customLong("http1"), help: "Speak HTTP/1.1 only (no HTTP/2) for every user class, whatever its httpOptions say.")
    public var http1 = false

    /// `--source-addresses`: local addresses the users' connections leave from, spread over the users.
    @Option(
        name: .customLong("source-addresses"),
        help: ArgumentHelp(
            "Bind the users' connections to these local addresses, given out round robin (each user keeps one): "
                + "more connections to one target than one address has ephemeral ports. "
                + "Ranges and lists, e.g. 127.0.0.2-127.0.0.9 or 10.0.0.5,10.0.0.6. Where users run (not on a --master).",
            valueName: "addresses"))
    public var sourceAddresses: String?

    /// `-V`: print the version and exit.
    @Flag(name: [.customShort("V"), .customLong("version")], help: "Print the version and exit.")
    public var version = false
}
