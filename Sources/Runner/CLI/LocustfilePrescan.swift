import Foundation

/// Where the plugin is, found before the command line is parsed, so that its own options
/// (``ScenarioOptionParser``) can be read and listed: `-f`/`--locustfile` on the command line, else
/// `LOCUST_LOCUSTFILE`, else a config file's `locustfile` (the last file that has one).
enum LocustfilePrescan {
    static func path(arguments: [String], environment: [String: String]) -> String? {
        var found: String?
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            if argument == "--" { break }
            if (argument == "-f" || argument == "--locustfile"), index + 1 < arguments.count {
                found = arguments[index + 1]
                index += 2
                continue
            }
            if argument.hasPrefix("--locustfile=") { found = String(argument.dropFirst("--locustfile=".count)) }
            index += 1
        }
        if let found { return found }
        if let value = environment["LOCUST_LOCUSTFILE"], !value.isEmpty { return value }
        var files = ConfigSources.defaultFiles
        if let explicit = ConfigSources.explicitConfig(in: arguments) ?? environment["LOCUST_CONFIG"] { files.append(explicit) }
        var fromFiles: String?
        for file in files {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { continue }
            for line in text.split(separator: "\n") {
                let trimmed = line.trimmingCharacters(in: .whitespaces)
                guard let separator = trimmed.firstIndex(where: { $0 == "=" || $0 == ":" }) else { continue }
                let key = trimmed[..<separator].trimmingCharacters(in: .whitespaces).lowercased()
                if key == "locustfile" { fromFiles = trimmed[trimmed.index(after: separator)...].trimmingCharacters(in: .whitespaces) }
            }
        }
        return fromFiles
    }
}
