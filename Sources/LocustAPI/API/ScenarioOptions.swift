/// The values of the scenario's own options (``ScenarioOption``) for this test: the command line's,
/// `locust.conf`'s, `LOCUST_*`'s or the web form's, a master's on its slaves, else the defaults.
///
/// ```swift
/// let customer = context.options.string("customer") ?? "acme"
/// if context.options.bool("use-search") { ... }
/// ```
public struct ScenarioOptions: Sendable, Equatable {
    /// Each option's value as text, by name.
    public let values: [String: String]

    /// Options with `values` (checked by the runner).
    @_spi(Runner) public init(values: [String: String]) {
        self.values = values
    }

    /// No options.
    static let none = ScenarioOptions(values: [:])

    /// The option's value, or nil when it has none.
    public func string(_ name: String) -> String? { values[name] }

    /// The option's value as a whole number, or nil.
    public func int(_ name: String) -> Int? { values[name].flatMap { Int($0) } }

    /// The option's value as a number, or nil.
    public func double(_ name: String) -> Double? { values[name].flatMap { Double($0) } }

    /// A flag's value: true when it was given (or set to true), else false.
    public func bool(_ name: String) -> Bool { values[name] == "true" }
}
