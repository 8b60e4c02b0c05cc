import ArgumentParser

/// `--arrival-rate`, `--arrival-stages`, `--max-concurrency`: the open model, iterations on a schedule
/// whatever the server's latency, instead of `-u` users looping (headless for now).
public struct OpenModelOptions: ParsableArguments, Sendable {
    /// Creates options with their defaults.
    public init() {}

    /// `--arrival-rate`: iterations per second (the stages' starting rate with `--arrival-stages`).
    @Option(
        name: .customLong("arrival-rate"),
        help: ArgumentHelp(
            "Open model: start this many iterations (one task of a class picked by weight) per second, whatever the server's latency, instead of -u users; response times run from each iteration's intended start (headless, or --autostart).",
            valueName: "RATE"))
    public var arrivalRate: Double?

    /// `--arrival-stages`: a ramp of the arrival rate.
    @Option(
        name: .customLong("arrival-stages"),
        help: ArgumentHelp(
            "Open model: ramp the arrival rate through stages, '30s:100,2m:500' ramps from --arrival-rate (default 0) to 100/s over 30 s, then to 500/s over 2 min; the test ends with the last stage.",
            valueName: "SPAN:RATE,..."))
    public var arrivalStages: String?

    /// `--max-concurrency`: iterations in flight at most; one due beyond it is dropped and counted.
    @Option(
        name: .customLong("max-concurrency"),
        help: ArgumentHelp(
            "Open model: at most N iterations in flight; an iteration due while N run is dropped and counted. (default: 1000)",
            valueName: "N"))
    public var maxConcurrency: Int?
}
