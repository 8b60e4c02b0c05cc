import ArgumentParser

/// What drives the user count instead of `-u`/`-r`: a plugin's load shape, stages, or a step load.
public struct ShapeOptions: ParsableArguments, Sendable {
    /// Creates options with their defaults.
    public init() {}

    /// `--shape`: one of the plugin's load shapes.
    @Option(
        name: .customLong("shape"),
        help: ArgumentHelp(
            "Run the plugin's load shape NAME (a plugin with one shape runs it without this; 'none' runs -u/-r instead).",
            valueName: "NAME"))
    public var shape: String?

    /// `--stages`: a load shape from the command line.
    @Option(
        name: .customLong("stages"),
        help: ArgumentHelp(
            "Ramp through stages instead of -u/-r: '10s:100,1m:100,10s:0' ramps to 100 users over 10 s, holds a minute, ramps down; the test ends with the last stage.",
            valueName: "SPAN:USERS,..."))
    public var stages: String?

    /// `--step-load`: Locust 1.x's step load.
    @Flag(
        name: .customLong("step-load"),
        help: "Add --step-users users every --step-time up to -u (Locust 1.x's step load); ends with -t.")
    public var stepLoad = false

    /// `--step-users`: users added per step.
    @Option(name: .customLong("step-users"), help: ArgumentHelp("Users added per step of --step-load.", valueName: "N"))
    public var stepUsers: Int?

    /// `--step-time`: the length of a step.
    @Option(name: .customLong("step-time"), help: ArgumentHelp("The length of a step of --step-load: 30s, 1m.", valueName: "SPAN"))
    public var stepTime: String?
}
