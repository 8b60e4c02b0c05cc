@_spi(Runner) import LocustAPI
import MessagePack
import Testing
@testable import LocustRunner

/// The scenario's own options on the command line, from a master, and on the wire.
struct ScenarioOptionParserTests {
    let options: [ScenarioOption] = [
        .string("tenant", default: "acme", help: "t", choices: ["acme", "globex"]),
        .int("pages", default: 1, help: "p"),
        .double("think", help: "s"),
        .flag("with-search", help: "f"),
    ]

    @Test func takesItsOptionsOutOfTheArgumentsAndLeavesTheRest() throws {
        let (values, rest) = try ScenarioOptionParser.extract(
            ["-f", "x.so", "--tenant", "globex", "--pages=3", "--with-search", "-u", "5", "--think", "0.5", "--", "--pages", "9"],
            options: options)
        #expect(values == ["tenant": "globex", "pages": "3", "with-search": "true", "think": "0.5"])
        #expect(rest == ["-f", "x.so", "-u", "5", "--", "--pages", "9"])
        #expect(ScenarioOptionParser.defaults(options) == ["tenant": "acme", "pages": "1", "with-search": "false"])
    }

    @Test func badValuesAreOneLine() {
        for (arguments, line) in [
            (["--pages", "x"], "--pages takes a whole number, got 'x'"),
            (["--think", "nan"], "--think takes a number, got 'nan'"),
            (["--tenant", "initech"], "--tenant must be one of acme, globex, got 'initech'"),
            (["--with-search=maybe"], "--with-search takes true or false, got 'maybe'"),
            (["--tenant"], "--tenant needs a value"),
        ] {
            let error = #expect(throws: RunnerError.self) { try ScenarioOptionParser.extract(arguments, options: options) }
            #expect(error?.description == line)
        }
    }

    @Test func optionsThatShadowLocustsOwnOrRepeatAreRefused() {
        #expect(ScenarioOptionParser.clash([.string("host", help: "")]) == "its option --host is one of locust's own: rename it")
        #expect(ScenarioOptionParser.clash([.flag("a", help: ""), .flag("a", help: "")]) == "it declares --a twice")
        #expect(ScenarioOptionParser.clash([.string("api_key", help: "")]) != nil)
        #expect(ScenarioOptionParser.clash(options) == nil)
    }

    @Test func theWireTypesThemAsArgparseWouldAndBack() {
        let values = ["tenant": "globex", "pages": "3", "with-search": "true", "think": "0.5"]
        let wire = ScenarioOptionWire.encode(values, options: options)
        #expect(wire == ["tenant": .string("globex"), "pages": .int(3), "with_search": .bool(true), "think": .double(0.5)])
        #expect(ScenarioOptionWire.decode(wire, options: options) == values)
        // A Locust master's namespace holds many other keys: only the plugin's are taken.
        #expect(ScenarioOptionWire.decode(["num_users": .int(5), "tenant": .string("acme")], options: options) == ["tenant": "acme"])
    }
}
