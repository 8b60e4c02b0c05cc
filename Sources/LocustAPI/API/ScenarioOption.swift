/// A command-line option of the scenario itself, like one a locustfile adds in Locust's
/// `init_command_line_parser`: `locust --help` lists it, `--NAME VALUE`, `locust.conf` (`NAME = VALUE`)
/// and `LOCUST_NAME` set it, a master passes it to its slaves, the web UI shows it under "Custom
/// parameters", and users read it typed from ``UserContext/options``.
///
/// ```swift
/// LocustPlugin.export(ShopUser.self, options: [
///     .string("customer", default: "acme", help: "Which tenant to log in to", choices: ["acme", "globex"]),
///     .int("pages", default: 3, help: "Pages each visit browses"),
///     .string("api-key", help: "The key for /admin", secret: true),
///     .flag("use-search", help: "Also run the search task"),
/// ])
/// // in a task: let pages = context.options.int("pages") ?? 3
/// ```
public struct ScenarioOption: Sendable, Equatable {
    /// The type of the option's value.
    public enum Kind: String, Sendable, Equatable {
        /// Any text.
        case string
        /// A whole number.
        case int
        /// A number.
        case double
        /// On when given (`--NAME`), off by default; `NAME = true` in a config file.
        case flag
    }

    /// The long name, without the dashes: `--customer` is `customer`.
    public let name: String
    /// What `--help` and the web UI say of it.
    public let help: String
    /// The value when none is given (nil: none; a flag's is `false`).
    public let defaultValue: String?
    /// The only values allowed (nil: any of its kind).
    public let choices: [String]?
    /// Its value is hidden in the web UI and the log (a password, a key).
    public let isSecret: Bool
    /// The value's type.
    public let kind: Kind

    init(name: String, help: String, defaultValue: String?, choices: [String]?, isSecret: Bool, kind: Kind) {
        self.name = name
        self.help = help
        self.defaultValue = defaultValue
        self.choices = choices
        self.isSecret = isSecret
        self.kind = kind
    }

    /// A text option.
    public static func string(_ name: String, default value: String? = nil, help: String, choices: [String]? = nil, secret: Bool = false) -> ScenarioOption {
        ScenarioOption(name: name, help: help, defaultValue: value, choices: choices, isSecret: secret, kind: .string)
    }

    /// A whole-number option.
    public static func int(_ name: String, default value: Int? = nil, help: String, choices: [Int]? = nil) -> ScenarioOption {
        ScenarioOption(name: name, help: help, defaultValue: value.map(String.init), choices: choices?.map(String.init), isSecret: false, kind: .int)
    }

    /// A number option.
    public static func double(_ name: String, default value: Double? = nil, help: String) -> ScenarioOption {
        ScenarioOption(name: name, help: help, defaultValue: value.map { "\($0)" }, choices: nil, isSecret: false, kind: .double)
    }

    /// An on/off option: off unless given.
    public static func flag(_ name: String, help: String) -> ScenarioOption {
        ScenarioOption(name: name, help: help, defaultValue: "false", choices: nil, isSecret: false, kind: .flag)
    }

    /// `value` checked against the option's kind and choices, in its canonical form (`"3"`, `"true"`),
    /// or the one-line reason it is refused.
    @_spi(Runner) public func check(_ value: String) -> Result<String, ScenarioOptionError> {
        let canonical: String
        switch kind {
        case .string:
            canonical = value
        case .int:
            guard let number = Int(value.trimmingCharacters(in: .whitespaces)) else {
                return .failure(ScenarioOptionError("--\(name) takes a whole number, got '\(value)'"))
            }
            canonical = String(number)
        case .double:
            guard let number = Double(value.trimmingCharacters(in: .whitespaces)), number.isFinite else {
                return .failure(ScenarioOptionError("--\(name) takes a number, got '\(value)'"))
            }
            canonical = "\(number)"
        case .flag:
            switch value.lowercased() {
            case "true", "yes", "1", "on", "": canonical = "true"
            case "false", "no", "0", "off": canonical = "false"
            default: return .failure(ScenarioOptionError("--\(name) takes true or false, got '\(value)'"))
            }
        }
        if let choices, !choices.contains(canonical) {
            return .failure(ScenarioOptionError("--\(name) must be one of \(choices.joined(separator: ", ")), got '\(value)'"))
        }
        return .success(canonical)
    }
}
