import Foundation
import LocustStats
@_spi(Runner) import LocustAPI

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
    /// `--threshold`: the criteria checked at the end (a failed one exits ``thresholdExitCode``).
    public var thresholds: [Threshold]
    /// `--threshold-abort`: stop as soon as an upper-bound threshold fails.
    public var thresholdAbort: Bool
    /// `--shape`, `--stages`, `--step-load`: what drives the users instead of `-u`/`-r`.
    var shapeSelection: ShapeSelection = .pluginDefault
    /// `--arrival-rate`/`--arrival-stages`/`--max-concurrency`: the open model, instead of `-u`/`-r`.
    public var arrival: ArrivalPlan?
    /// The exit code of a run with a failed threshold: apart from request failures (1) and bad input (2).
    public static let thresholdExitCode: Int32 = 3
    public var logLevel: RunLogger.Level
    public var userClassNames: [String]
    /// The scenario's own options (``ScenarioOption``), given or default, by name.
    var scenarioOptions: [String: String] = [:]
    /// `-T/--tags` and `-E/--exclude-tags`.
    var tagFilter: TagFilter
    /// `--equal-weights`: every task runs with weight 1, as Locust's (see ``taskWeight(_:)``).
    public var equalWeights: Bool
    /// `--insecure` and `--http1`, applied over every class's `httpOptions` by ``UserSpawner``.
    public var httpOverride: HTTPOptionsOverride
    /// `--json`: print the final statistics as JSON (``LocustJSON/finalStats(_:)``) to standard output.
    public var jsonStdout: Bool
    /// `--json-file`: the file to write the final statistics to as JSON, `.json` already appended
    /// as Locust does (see ``jsonFilePath(_:)``).
    public var jsonFile: String?

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
            let trimmed = text.trimmingCharacters(in: .whitespaces)
            let seconds = TimeSpan.seconds(trimmed.hasPrefix("-") ? String(trimmed.dropFirst()) : trimmed)
            guard let seconds else {
                throw RunnerError.badInput("invalid -t/--run-time '\(text)': use a time span like 30s, 5m, 1h30m")
            }
            // 0 (or less) would stop the test before it began, yet one request still went out.
            guard seconds > 0, !trimmed.hasPrefix("-") else {
                throw RunnerError.badInput("-t/--run-time must be more than 0, got '\(text)'")
            }
            runTime = seconds
        }
        headless = options.headless
        if let text = options.stopTimeout {
            let trimmed = text.trimmingCharacters(in: .whitespaces)
            let seconds = TimeSpan.seconds(trimmed.hasPrefix("-") ? String(trimmed.dropFirst()) : trimmed)
            guard let seconds else {
                throw RunnerError.badInput("invalid -s/--stop-timeout '\(text)': use seconds or a time span like 10s")
            }
            guard !trimmed.hasPrefix("-") || seconds == 0 else {
                throw RunnerError.badInput("-s/--stop-timeout must be 0 or more, got '\(text)'")
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
        do {
            thresholds = try options.thresholds.map { text throws(ThresholdError) in try Threshold.parse(text) }
        } catch {
            throw RunnerError.badInput(error.description)
        }
        thresholdAbort = options.thresholdAbort
        arrival = try Self.arrivalPlan(options)
        if thresholdAbort && thresholds.isEmpty {
            throw RunnerError.badInput("--threshold-abort needs at least one --threshold")
        }
        guard let level = RunLogger.Level(name: options.loglevel) else {
            throw RunnerError.badInput("invalid --loglevel '\(options.loglevel)': use DEBUG, INFO, WARNING, ERROR or CRITICAL")
        }
        logLevel = level
        userClassNames = options.userClasses
        equalWeights = options.equalWeights
        shapeSelection = try ShapeSelection.make(options: options, users: users, runTime: runTime)
        tagFilter = TagFilter(tags: Set(options.tags), excludeTags: Set(options.excludeTags))
        httpOverride = HTTPOptionsOverride(skipTLSVerification: options.insecure, http1Only: options.http1)
        jsonStdout = options.json
        if let path = options.jsonFile {
            jsonFile = try RunSettings.jsonFilePath(path)
        }
    }

    /// The open model from `--arrival-rate`, `--arrival-stages` and `--max-concurrency`, or nil (each
    /// mistake one line).
    static func arrivalPlan(_ options: RunOptions) throws -> ArrivalPlan? {
        guard options.arrivalRate != nil || options.arrivalStages != nil else {
            if let bound = options.maxConcurrency {
                throw RunnerError.badInput(
                    "--max-concurrency \(bound) bounds the open model's iterations: give --arrival-rate or --arrival-stages too")
            }
            return nil
        }
        var startRate = 0.0
        if let rate = options.arrivalRate {
            guard rate.isFinite, rate > 0, rate <= ArrivalSchedule.maxRate else {
                throw RunnerError.badInput(
                    "--arrival-rate must be more than 0 (and at most \(Int(ArrivalSchedule.maxRate))) iterations per second, got \(PythonStyle.number(rate))")
            }
            startRate = rate
        }
        var stages: [ArrivalSchedule.Stage] = []
        if let text = options.arrivalStages {
            do {
                stages = try ArrivalSchedule.parseStages(text)
            } catch {
                throw RunnerError.badInput(error.message)
            }
        }
        let bound = options.maxConcurrency ?? ArrivalPlan.defaultMaxConcurrency
        guard bound >= 1 else { throw RunnerError.badInput("--max-concurrency must be 1 or more, got \(bound)") }
        let model = options.arrivalStages != nil ? "--arrival-stages" : "--arrival-rate"
        if options.users != nil { throw RunnerError.badInput("\(model) replaces -u/--users (the open model has no user count): give one or the other") }
        if options.spawnRate != nil { throw RunnerError.badInput("\(model) replaces -r/--spawn-rate: give one or the other") }
        if options.stages != nil { throw RunnerError.badInput("\(model) replaces --stages (users): use --arrival-stages for a ramp of the rate") }
        if options.stepLoad || (options.shape != nil && options.shape != "none") {
            throw RunnerError.badInput("\(model) replaces a load shape (users): give one or the other")
        }
        if options.arrivalStages != nil, options.runTime != nil {
            throw RunnerError.badInput("--arrival-stages ends the test with its last stage: leave out -t/--run-time")
        }
        if options.slave {
            throw RunnerError.badInput("\(model) is the master's (or a standalone run's): a slave runs the share of the rate its master sends")
        }
        guard options.headless || options.autostart else {
            throw RunnerError.badInput(
                "\(model) drives a headless run (or one started with --autostart): add --headless (the web UI's form has no open model yet)")
        }
        return ArrivalPlan(schedule: ArrivalSchedule(startRate: startRate, stages: stages), maxConcurrency: bound)
    }

    /// The file `--json-file PATH` writes: `PATH.json` as Locust names it, or `PATH` when it already
    /// ends in `.json`; its directory must exist, so a long test does not end in a write error.
    static func jsonFilePath(_ path: String) throws -> String {
        guard !path.isEmpty, !path.hasSuffix("/") else {
            throw RunnerError.badInput("invalid --json-file '\(path)': give a file name")
        }
        let file = path.lowercased().hasSuffix(".json") ? path : path + ".json"
        let directory = (file as NSString).deletingLastPathComponent
        var isDirectory: ObjCBool = false
        guard directory.isEmpty || (FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) && isDirectory.boolValue)
        else {
            throw RunnerError.badInput("--json-file '\(path)': no directory '\(directory)'")
        }
        return file
    }

    /// The weight a task runs with: its own, or 1 with `--equal-weights` (a task of weight 0 stays out).
    public func taskWeight(_ weight: Int) -> Int {
        equalWeights ? min(1, max(0, weight)) : weight
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

    /// The classes with only the tasks that `-T`/`-E` leave, and a log line for each class left with
    /// none (it is not spawned, as the issue asks of Locust's rule).
    func filterTasks(of classes: [UserClass]) -> (kept: [UserClass], dropped: [String]) {
        var kept: [UserClass] = []
        var dropped: [String] = []
        for userClass in classes {
            if let filtered = userClass.filtered(by: tagFilter) { kept.append(filtered) } else { dropped.append(userClass.name) }
        }
        return (kept, dropped)
    }

    /// The line logged for a class that `-T`/`-E` left without tasks.
    static func noTasksLeft(_ name: String) -> String {
        "\(name) has no tasks left after filtering by --tags/--exclude-tags: it is not spawned"
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
