@_spi(Runner) import LocustAPI

/// The scenario's own options as a controller keeps them: their specs, the command line's values, and
/// the current test's (the command line's with a start request's over them).
struct TestOptions: Sendable {
    private var specs: [ScenarioOption] = []
    private var base: [String: String] = [:]
    /// The current test's values.
    private(set) var current = ScenarioOptions(values: [:])

    /// No options.
    init() {}

    /// The plugin's `specs` and the values the command line gave them.
    init(specs: [ScenarioOption], values: [String: String]) {
        self.specs = specs
        base = values
        current = ScenarioOptions(values: values)
    }

    /// The specs, for the wire.
    var options: [ScenarioOption] { specs }

    /// A new test's values: the command line's with `request`'s over them, checked; they become `current`.
    mutating func begin(_ request: StartRequest) throws(StartRefusal) -> ScenarioOptions {
        let merged = base.merging(request.scenarioOptions ?? [:]) { _, given in given }
        switch ScenarioOptionParser.checked(merged, options: specs) {
        case .success(let values):
            current = ScenarioOptions(values: values)
            return current
        case .failure(let error):
            throw StartRefusal(error.description)
        }
    }
}
