@_spi(Runner) import LocustAPI

/// The scenario's own options (``ScenarioOption``) on the command line: taken out of the arguments
/// before argument-parser reads the rest, checked, and listed under `locust --help`.
enum ScenarioOptionParser {
    /// Each option's default, by name (options without one are absent).
    static func defaults(_ options: [ScenarioOption]) -> [String: String] {
        var values: [String: String] = [:]
        for option in options { if let value = option.defaultValue { values[option.name] = value } }
        return values
    }

    /// Options that would shadow one of locust's own are refused when the plugin loads.
    static func clash(_ options: [ScenarioOption]) -> String? {
        let own = Set(ConfigSources.options.keys).union(ConfigSources.commandLineOnly)
        var seen: Set<String> = []
        for option in options {
            if own.contains(option.name) { return "its option --\(option.name) is one of locust's own: rename it" }
            if !seen.insert(option.name).inserted { return "it declares --\(option.name) twice" }
            if option.name.isEmpty || option.name.hasPrefix("-") || option.name.contains("=") || option.name.contains(" ") || option.name.contains("_") {
                return "'\(option.name)' is not an option name (give it without leading dashes, words joined by dashes: \"api-key\")"
            }
        }
        return nil
    }

    /// Takes `--NAME VALUE`, `--NAME=VALUE` and flags `--NAME` of `options` out of `arguments` (up to a
    /// `--`); returns their checked values, later ones winning, and the other arguments in order.
    static func extract(_ arguments: [String], options: [ScenarioOption]) throws -> (values: [String: String], rest: [String]) {
        guard !options.isEmpty else { return ([:], arguments) }
        let byName = Dictionary(options.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var values: [String: String] = [:]
        var rest: [String] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            if argument == "--" {
                rest += arguments[index...]
                break
            }
            guard argument.hasPrefix("--") else {
                rest.append(argument)
                index += 1
                continue
            }
            let body = argument.dropFirst(2)
            let name = String(body.split(separator: "=", maxSplits: 1).first ?? "")
            guard let option = byName[name] else {
                rest.append(argument)
                index += 1
                continue
            }
            var text: String
            if let equals = body.firstIndex(of: "=") {
                text = String(body[body.index(after: equals)...])
                index += 1
            } else if option.kind == .flag {
                text = "true"
                index += 1
            } else {
                guard index + 1 < arguments.count else { throw RunnerError.badInput("--\(name) needs a value") }
                text = arguments[index + 1]
                index += 2
            }
            switch option.check(text) {
            case .success(let value): values[name] = value
            case .failure(let error): throw RunnerError.badInput(error.description)
            }
        }
        return (values, rest)
    }

    /// `values` (from a master, or the web form) checked against `options`: unknown names are dropped,
    /// bad values refused with one line.
    static func checked(_ values: [String: String], options: [ScenarioOption]) -> Result<[String: String], ScenarioOptionError> {
        var result: [String: String] = [:]
        for option in options {
            guard let text = values[option.name] else { continue }
            switch option.check(text) {
            case .success(let value): result[option.name] = value
            case .failure(let error): return .failure(error)
            }
        }
        return .success(result)
    }

    /// The section `locust --help` adds for a plugin's options.
    static func helpSection(_ options: [ScenarioOption], plugin: String) -> String {
        guard !options.isEmpty else { return "" }
        var lines = ["", "SCENARIO OPTIONS (\(plugin)):"]
        for option in options {
            let value = option.kind == .flag ? "" : " <\(option.kind == .string ? "value" : option.kind.rawValue)>"
            var help = option.help
            if let choices = option.choices { help += " (one of: \(choices.joined(separator: ", ")))" }
            if option.kind != .flag, let value = option.defaultValue { help += " (default: \(option.isSecret ? "****" : value))" }
            let left = "  --\(option.name)\(value)"
            lines.append(left.count < 24 ? left.padding(toLength: 24, withPad: " ", startingAt: 0) + help : left + "\n" + String(repeating: " ", count: 24) + help)
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
