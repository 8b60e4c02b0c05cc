import Foundation

/// Reads settings from config files and `LOCUST_*` environment variables, as Locust does, and turns them
/// into command-line arguments placed before the real ones, so the precedence is: command line, then
/// environment, then config files (later files win over earlier ones), then defaults.
public enum ConfigSources {
    /// How an option takes its value.
    public enum Kind: Sendable { case flag, value, list }

    /// The long options that config files and the environment may set (with aliases): every long
    /// option of ``RunOptions`` but ``commandLineOnly`` (a test checks both against the parser).
    static let options: [String: Kind] = [
        "locustfile": .value, "host": .value, "users": .value, "clients": .value, "spawn-rate": .value,
        "hatch-rate": .value, "run-time": .value, "headless": .flag, "no-web": .flag, "stop-timeout": .value,
        "csv": .value, "csv-full-history": .flag, "print-stats": .flag, "only-summary": .flag, "reset-stats": .flag,
        "exit-code-on-error": .value, "loglevel": .value, "logfile": .value, "threshold": .value, "threshold-abort": .flag,
        "stages": .value, "shape": .value, "step-load": .flag, "step-users": .value, "step-time": .value,
        "arrival-rate": .value, "arrival-stages": .value, "max-concurrency": .value,
        "master": .flag, "slave": .flag, "worker": .flag, "master-host": .value, "master-port": .value,
        "master-bind-host": .value, "master-bind-port": .value, "expect-slaves": .value, "expect-workers": .value,
        "expect-slaves-max-wait": .value, "expect-workers-max-wait": .value, "master-timeout": .value, "cluster-token": .value, "cluster-token-file": .value,
        "cluster-tls-cert": .value, "cluster-tls-key": .value, "cluster-tls-ca": .value,
        "web-host": .value, "web-port": .value, "web-auth": .value, "tls-cert": .value, "tls-key": .value,
        "autostart": .flag, "autoquit": .value, "web-base-path": .value, "html": .value,
        "json": .flag, "json-file": .value, "equal-weights": .flag, "insecure": .flag, "http1": .flag, "source-addresses": .value,
        "tags": .list, "exclude-tags": .list,
    ]

    /// The long options that config files and the environment do not set: they say which file to
    /// read, or print something and exit.
    static let commandLineOnly: Set<String> = ["config", "list", "version", "show-task-ratio", "show-task-ratio-json", "help"]

    /// The config files read when `--config` is not given, in order.
    public static var defaultFiles: [String] {
        [NSString(string: "~/.locust.conf").expandingTildeInPath, "locust.conf"]
    }

    /// The arguments that config files and the environment contribute, to be placed before `arguments`.
    /// `scenario` adds the plugin's own options (``ScenarioOptionParser``) to the settings they may set.
    public static func arguments(
        commandLine arguments: [String], environment: [String: String], scenario: [String: Kind] = [:]
    ) throws -> [String] {
        let known = options.merging(scenario) { own, _ in own }
        var files = defaultFiles
        if let explicit = explicitConfig(in: arguments) ?? environment["LOCUST_CONFIG"] {
            guard FileManager.default.fileExists(atPath: explicit) else {
                throw RunnerError.badInput("config file '\(explicit)' does not exist")
            }
            files.append(explicit)
        }
        var result: [String] = []
        for file in files where FileManager.default.fileExists(atPath: file) {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
                throw RunnerError.badInput("cannot read config file '\(file)'")
            }
            result += try parse(configFile: text, name: file, known: known)
        }
        result += try parse(environment: environment, known: known)
        return result
    }

    static func explicitConfig(in arguments: [String]) -> String? {
        for (index, argument) in arguments.enumerated() {
            if argument == "--config", index + 1 < arguments.count { return arguments[index + 1] }
            if argument.hasPrefix("--config=") { return String(argument.dropFirst("--config=".count)) }
        }
        return nil
    }

    /// Parses `key = value` lines (`#` and `;` comments, `[section]` headers ignored).
    static func parse(configFile text: String, name: String, known: [String: Kind] = options) throws -> [String] {
        var result: [String] = []
        for (number, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") || line.hasPrefix("[") { continue }
            guard let separator = line.firstIndex(where: { $0 == "=" || $0 == ":" }) else {
                throw RunnerError.badInput("\(name):\(number + 1): expected 'key = value', got '\(line)'")
            }
            let key = line[..<separator].trimmingCharacters(in: .whitespaces).lowercased().replacingOccurrences(of: "_", with: "-")
            let value = line[line.index(after: separator)...].trimmingCharacters(in: .whitespaces)
            result += try argument(key: key, value: value, origin: "\(name):\(number + 1)", known: known)
        }
        return result
    }

    /// Reads `LOCUST_USERS=10`-style variables.
    static func parse(environment: [String: String], known: [String: Kind] = options) throws -> [String] {
        var result: [String] = []
        for (name, value) in environment.sorted(by: { $0.key < $1.key }) where name.hasPrefix("LOCUST_") {
            let key = name.dropFirst("LOCUST_".count).lowercased().replacingOccurrences(of: "_", with: "-")
            guard known[key] != nil else { continue }
            result += try argument(key: key, value: value, origin: name, known: known)
        }
        return result
    }

    static func argument(key: String, value: String, origin: String, known: [String: Kind] = options) throws -> [String] {
        guard let kind = known[key] else {
            throw RunnerError.badInput("\(origin): unknown setting '\(key)'")
        }
        switch kind {
        case .value:
            return ["--\(key)", value]
        case .list:
            // `tags = a b` or `a,b` (Locust's config takes either); one `--key=item` each, so that an
            // argument after them is never taken as an item.
            return value.split(whereSeparator: { $0 == " " || $0 == "," || $0 == "\t" }).map { "--\(key)=\($0)" }
        case .flag:
            switch value.lowercased() {
            case "true", "yes", "1", "on", "": return ["--\(key)"]
            case "false", "no", "0", "off": return []
            default: throw RunnerError.badInput("\(origin): '\(key)' takes true or false, got '\(value)'")
            }
        }
    }
}
