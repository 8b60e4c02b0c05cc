import Foundation
import LocustAPI

/// The options of a run, checked: every bad value becomes one clear line.
public struct RunSettings: Sendable {
    public var locustfile: String
    public var host: String?
    public var users: Int
    public var spawnRate: Double
    public var runTime: Double?
    public var headless: Bool
    public var stopTimeout: Double
    public var csvPrefix: String?
    public var csvFullHistory: Bool
    public var printTable: Bool
    /// `--print-stats` on a slave: print its own statistics table every 2 s (as a Locust worker does).
    public var slavePrintsTable: Bool
    public var resetStats: Bool
    public var exitCodeOnError: Int32
    public var logLevel: RunLogger.Level
    public var userClassNames: [String]

    /// Checks `options`.
    public init(options: RunOptions) throws {
        guard let file = options.locustfile, !file.isEmpty else {
            throw RunnerError.badInput("no scenario given: pass the plugin with -f/--locustfile PATH.so")
        }
        locustfile = file
        if let host = options.host {
            try RunSettings.validate(url: host)
            self.host = host
        }
        users = options.users ?? 1
        guard users >= 0 else { throw RunnerError.badInput("-u/--users must be 0 or more, got \(users)") }
        spawnRate = options.spawnRate ?? 1
        guard spawnRate > 0, spawnRate.isFinite else {
            throw RunnerError.badInput("-r/--spawn-rate must be more than 0, got \(options.spawnRate.map { "\($0)" } ?? "")")
        }
        if let text = options.runTime {
            guard let seconds = TimeSpan.seconds(text) else {
                throw RunnerError.badInput("invalid -t/--run-time '\(text)': use a time span like 30s, 5m, 1h30m")
            }
            runTime = seconds
        }
        headless = options.headless
        if let text = options.stopTimeout {
            guard let seconds = TimeSpan.seconds(text) else {
                throw RunnerError.badInput("invalid --stop-timeout '\(text)': use seconds or a time span like 10s")
            }
            stopTimeout = seconds
        } else {
            stopTimeout = 0
        }
        csvPrefix = options.csv
        csvFullHistory = options.csvFullHistory
        printTable = !options.onlySummary
        slavePrintsTable = options.printStats && !options.onlySummary
        resetStats = options.resetStats
        exitCodeOnError = Int32(truncatingIfNeeded: options.exitCodeOnError)
        guard let level = RunLogger.Level(name: options.loglevel) else {
            throw RunnerError.badInput("invalid --loglevel '\(options.loglevel)': use DEBUG, INFO, WARNING, ERROR or CRITICAL")
        }
        logLevel = level
        userClassNames = options.userClasses
    }

    /// An absolute http(s) URL with a host, or an error.
    static func validate(url: String) throws {
        let lower = url.lowercased()
        guard lower.hasPrefix("http://") || lower.hasPrefix("https://") else {
            throw RunnerError.badInput("invalid --host '\(url)': it must start with http:// or https://")
        }
        let rest = url.drop(while: { $0 != ":" }).dropFirst(3)
        let authority = rest.prefix(while: { $0 != "/" && $0 != "?" && $0 != "#" })
        guard !authority.isEmpty, !authority.contains(" "), URL(string: url) != nil else {
            throw RunnerError.badInput("invalid --host '\(url)': no host name in it")
        }
        if let colon = authority.lastIndex(of: ":"), !authority.hasSuffix("]") {
            let port = authority[authority.index(after: colon)...]
            guard let number = Int(port), (1...65535).contains(number) else {
                throw RunnerError.badInput("invalid --host '\(url)': bad port '\(port)'")
            }
        }
    }

    /// The classes named on the command line (all when none), in plugin order.
    func selectClasses(from classes: [UserClass]) throws -> [UserClass] {
        guard !userClassNames.isEmpty else { return classes }
        let known = Set(classes.map(\.name))
        for name in userClassNames where !known.contains(name) {
            throw RunnerError.badInput(
                "unknown user class '\(name)': the plugin has \(classes.map(\.name).joined(separator: ", "))")
        }
        return classes.filter { userClassNames.contains($0.name) }
    }

    /// Every class needs a host: `--host` or its own.
    func checkHost(for classes: [UserClass]) throws {
        guard host == nil else { return }
        for userClass in classes {
            guard let own = userClass.host else {
                throw RunnerError.badInput(
                    "no host for \(userClass.name): pass --host http://... or set `static let host` in the class")
            }
            try RunSettings.validate(url: own)
        }
    }
}
