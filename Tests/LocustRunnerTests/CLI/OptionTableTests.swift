import Foundation
import Testing
@testable import LocustRunner

/// The hand-kept option tables (``ConfigSources/options``, ``NegativeOptionValues``) against the
/// options the parser really has, read from argument-parser's `--experimental-dump-help`.
struct OptionTableTests {
    struct ParsedOption {
        var longNames: [String]
        var shortNames: [String]
        var takesValue: Bool
    }

    /// Every named option and flag of `locust`, as the parser describes them.
    static func parserOptions() throws -> [ParsedOption] {
        var dump: String?
        do {
            _ = try LocustCommand.parseOptions(["--experimental-dump-help"])
        } catch {
            dump = LocustCommand.fullMessage(for: error)
        }
        let text = try #require(dump)
        let root = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let command = try #require(root["command"] as? [String: Any])
        let arguments = try #require(command["arguments"] as? [[String: Any]])
        return arguments.compactMap { argument in
            guard let kind = argument["kind"] as? String, kind == "option" || kind == "flag" else { return nil }
            let names = argument["names"] as? [[String: Any]] ?? []
            let named = { (wanted: String) in names.filter { $0["kind"] as? String == wanted }.compactMap { $0["name"] as? String } }
            return ParsedOption(longNames: named("long"), shortNames: named("short"), takesValue: kind == "option")
        }
    }

    @Test func configSourcesListEveryLongOptionWithItsKind() throws {
        let options = try Self.parserOptions()
        #expect(options.count > 40)
        var seen: Set<String> = []
        for option in options {
            for name in option.longNames {
                seen.insert(name)
                if ConfigSources.commandLineOnly.contains(name) { continue }
                let kind = ConfigSources.options[name]
                #expect(kind != nil, "--\(name) is missing from ConfigSources.options (or add it to commandLineOnly)")
                if let kind { #expect((kind != .flag) == option.takesValue, "--\(name) has the wrong kind in ConfigSources.options") }
            }
        }
        for name in ConfigSources.options.keys {
            #expect(seen.contains(name), "ConfigSources.options has '\(name)', which is no option of locust")
        }
    }

    @Test func negativeNumbersJoinExactlyTheOptionsThatTakeAValue() throws {
        var names: Set<String> = []
        for option in try Self.parserOptions() where option.takesValue {
            for name in option.longNames { names.insert("--" + name) }
            for name in option.shortNames { names.insert("-" + name) }
        }
        #expect(NegativeOptionValues.valueOptions == names)
    }

    @Test func newOptionsCanComeFromTheEnvironment() throws {
        let arguments = try ConfigSources.parse(environment: [
            "LOCUST_JSON": "true", "LOCUST_JSON_FILE": "out", "LOCUST_EQUAL_WEIGHTS": "1", "LOCUST_INSECURE": "yes",
            "LOCUST_HTTP1": "true", "LOCUST_STOP_TIMEOUT": "-1",
        ])
        #expect(arguments == ["--equal-weights", "--http1", "--insecure", "--json", "--json-file", "out", "--stop-timeout", "-1"])
        // A negative value from the environment reaches the check too.
        #expect(CommandLineMessageTests.message(arguments + ["-f", "a.so"]) == "-s/--stop-timeout must be 0 or more, got '-1'")
    }
}
