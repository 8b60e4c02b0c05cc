import ArgumentParser

/// The `locust` command line as argument-parser sees it: its name, usage line and help text around
/// ``RunOptions``. ``LocustMain`` parses with it; nothing calls `run()`.
public struct LocustCommand: ParsableCommand {
    /// The name, usage and help text of `locust --help`.
    public static let configuration = CommandConfiguration(
        commandName: "locust",
        abstract: "Load test a web site with the simulated users of a scenario plugin, as Locust does.",
        usage: """
            locust -f PLUGIN.so [<options>] [<user-classes> ...]
            locust new NAME [--directory DIR]
            """,
        discussion: """
            Without --headless the web UI is served at http://127.0.0.1:8089 and the test starts from \
            there; with --headless it starts at once with -u/-r/-t and prints the statistics table every \
            2 s.

            To start a scenario: locust new NAME [--directory DIR] writes a package that builds into a plugin.

            Settings also come from config files (~/.locust.conf, ./locust.conf, --config: key = value \
            lines with the long option names) and LOCUST_* environment variables (LOCUST_USERS=10); the \
            command line wins over the environment, which wins over the files.

            Exit codes: 0 when nothing failed, --exit-code-on-error when a request failed or a task \
            threw, 2 for bad input.
            """)

    /// Every option and argument.
    @OptionGroup public var options: RunOptions

    /// Creates the command with default options.
    public init() {}

    /// Parses `arguments` (without the program name) into options. A negative number after an option
    /// that takes a value is that option's value (`-u -5` reads as `-u=-5`), so that ``RunSettings``
    /// can say what is wrong with it instead of argument-parser calling it a missing value.
    /// - Throws: argument-parser's errors (help and version requests among them: see `exitCode(for:)`).
    public static func parseOptions(_ arguments: [String]) throws -> RunOptions {
        try parse(NegativeOptionValues.joined(arguments)).options
    }
}
