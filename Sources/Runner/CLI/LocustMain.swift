import ArgumentParser
import Foundation
@_spi(Runner) import LocustAPI

/// The `locust` program: parses the command line (plus config files and `LOCUST_*` variables), then
/// lists the plugin's users, writes a new scenario, or runs a test.
public enum LocustMain {
    /// Exit code for bad input (a wrong path, a bad option), as Locust's argparse uses.
    public static let usageExitCode: Int32 = 2

    /// Runs `locust` with `arguments` (without the program name) and returns the exit code.
    public static func main(_ arguments: [String]) async -> Int32 {
        // A scenario's print() reaches a redirected standard output line by line, not at exit.
        LineBufferedOutput.enable()
        if arguments.first == "new" {
            return ScenarioGenerator.main(Array(arguments.dropFirst()))
        }
        let options: RunOptions
        // The plugin first when the command line (or the environment, or a config file) names it: its
        // own options are read from the same sources, and listed by --help.
        let environment = ProcessInfo.processInfo.environment
        var prescanned: LoadedPlugin?
        var pluginFailure: String?
        // (`-f -`: the plugin comes from the master later; there is nothing to read yet.)
        if let path = LocustfilePrescan.path(arguments: arguments, environment: environment), path != "-" {
            do { prescanned = try PluginLoader.load(path: path) } catch { pluginFailure = "\(error)" }
        }
        let scenarioOptions = prescanned?.options ?? []
        var scenarioValues: [String: String] = [:]
        do {
            if let prescanned, let clash = ScenarioOptionParser.clash(scenarioOptions) {
                throw RunnerError.badInput("'\(prescanned.path)': \(clash)")
            }
            let kinds = Dictionary(scenarioOptions.map { ($0.name, $0.kind == .flag ? ConfigSources.Kind.flag : .value) }, uniquingKeysWith: { a, _ in a })
            let extra = try ConfigSources.arguments(commandLine: arguments, environment: environment, scenario: kinds)
            let (values, rest) = try ScenarioOptionParser.extract(extra + arguments, options: scenarioOptions)
            scenarioValues = ScenarioOptionParser.defaults(scenarioOptions).merging(values) { _, given in given }
            options = try LocustCommand.parseOptions(rest)
        } catch let error as RunnerError {
            printError(error.description)
            return usageExitCode
        } catch {
            let code = LocustCommand.exitCode(for: error)
            if code == .success {
                var text = LocustCommand.fullMessage(for: error)
                if let prescanned, text.contains("USAGE:") {
                    text += ScenarioOptionParser.helpSection(scenarioOptions, plugin: URL(fileURLWithPath: prescanned.path).lastPathComponent)
                }
                print(text)
                return 0
            }
            // A plugin that cannot load would name the real problem better than an option it would have had.
            if let pluginFailure {
                printError(pluginFailure)
                return usageExitCode
            }
            printError(LocustCommand.message(for: error))
            return usageExitCode
        }
        if options.version {
            print("locust \(LocustABI.productVersion) (SwiftLocust, LocustAPI ABI \(LocustABI.version))")
            return 0
        }
        do {
            var settings = try RunSettings(options: options)
            settings.scenarioOptions = scenarioValues
            let cluster = try ClusterSettings(options: options)
            // `--slave -f -`: the plugin comes from the master.
            let fetched = settings.locustfile == "-"
            if fetched {
                guard cluster.role == .slave else { throw RunnerError.badInput("-f - (the plugin from the master) is for a --slave") }
                let logger = try RunLogger(level: settings.logLevel, logfile: options.logfile).named("locust.runners")
                settings.locustfile = try await PluginFetcher.fetch(cluster: cluster, logger: logger)
            }
            let plugin = try prescanned.flatMap { $0.path == settings.locustfile ? $0 : nil } ?? PluginLoader.load(path: settings.locustfile)
            let selected = try settings.selectClasses(from: plugin.userClasses)
            if options.list {
                print(UserClassListing.text(selected))
                return 0
            }
            // -T/-E: the tasks left to run. A slave filters with its master's tags at each order.
            let (classes, dropped) = settings.filterTasks(of: selected)
            if classes.isEmpty && cluster.role != .slave {
                throw RunnerError.badInput(
                    "no task of \(selected.map(\.name).joined(separator: ", ")) is left after filtering by --tags/--exclude-tags")
            }
            if options.showTaskRatio {
                StandardOutput.write(TaskRatioOutput.text(classes, settings: settings, users: options.users))
                return 0
            }
            if options.showTaskRatioJSON {
                StandardOutput.write(TaskRatioOutput.json(classes, settings: settings, users: options.users))
                return 0
            }
            let logger = try RunLogger(level: settings.logLevel, logfile: options.logfile)
            let sourceAddresses = try options.sourceAddresses.map { text throws(RunnerError) in try SourceAddressList.parse(text) } ?? []
            if !sourceAddresses.isEmpty {
                if cluster.role == .master {
                    logger.named("locust.main").warning("--source-addresses applies where users run: give it to the slaves (a --master runs none)")
                } else {
                    do {
                        try HTTPEngine.useSourceAddresses(sourceAddresses)
                    } catch {
                        throw RunnerError.badInput("--source-addresses: cannot bind to \(error) (an address of this machine is needed)")
                    }
                }
            }
            if cluster.role != .slave {
                for name in dropped { logger.named("locust.env").warning(RunSettings.noTasksLeft(name)) }
            }
            switch cluster.role {
            case .slave:
                // A slave runs whatever its master orders; the master's --host wins over its own.
                FileLimit.raise(for: 10_000, logger: logger)
                let code = await SlaveRunner(plugin: plugin, settings: settings, cluster: cluster, logger: logger, fetchedPlugin: fetched).run()
                HTTPEngine.shared.resetConnectionsOnExit()
                if code == SlaveRunner.refetchExitCode { return SlaveRunner.restartForNewPlugin() }
                return code
            case .master, .standalone:
                let web = try WebSettings(options: options)
                if settings.headless { try settings.checkHost(for: classes) }
                // The open model may hold a connection per iteration in flight.
                if cluster.role == .standalone {
                    if let arrival = settings.arrival {
                        FileLimit.raise(for: arrival.maxConcurrency, what: "iterations in flight (--max-concurrency)", logger: logger)
                    } else {
                        FileLimit.raise(for: settings.users, logger: logger)
                    }
                }
                let code = try await TestLauncher(
                    settings: settings, cluster: cluster, web: web, plugin: plugin, classes: classes, logger: logger
                ).run()
                if cluster.role == .standalone { HTTPEngine.shared.resetConnectionsOnExit() }
                return code
            }
        } catch let error as PluginError {
            printError(error.description)
            return usageExitCode
        } catch let error as RunnerError {
            printError(error.description)
            return usageExitCode
        } catch {
            printError("\(error)")
            return usageExitCode
        }
    }

    static func printError(_ message: String) {
        FileHandle.standardError.write(Data("locust: error: \(message)\n".utf8))
    }
}

/// The user classes as `locust --list` prints them.
enum UserClassListing {
    static func text(_ classes: [UserClass]) -> String {
        var lines = ["Available Users:"]
        for userClass in classes {
            var line = "    \(userClass.name) (weight \(userClass.weight), wait \(userClass.waitTime)"
            if userClass.fixedCount > 0 { line += ", fixed count \(userClass.fixedCount)" }
            if let host = userClass.host { line += ", host \(host)" }
            lines.append(line + ")")
            appendTasks(userClass.tasks, level: 2, to: &lines)
        }
        return lines.joined(separator: "\n")
    }

    /// `- name (weight w, tags a, b)`, a set's tasks below it, indented.
    private static func appendTasks(_ tasks: [UserClass.TaskInfo], level: Int, to lines: inout [String]) {
        for task in tasks {
            var details = ["weight \(task.weight)"]
            if task.kind != .task { details.insert(task.kind == .set ? "task set" : "sequence", at: 0) }
            if !task.tags.isEmpty { details.append("tags \(task.tags.joined(separator: ", "))") }
            lines.append(String(repeating: "    ", count: level) + "- \(task.name) (\(details.joined(separator: ", ")))")
            appendTasks(task.tasks, level: level + 1, to: &lines)
        }
    }
}

/// Raises the soft limit of open files to the hard limit: every user may hold a connection.
enum FileLimit {
    static func raise(for users: Int, what: String = "users", logger: RunLogger) {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return }
        if limit.rlim_cur < limit.rlim_max {
            limit.rlim_cur = limit.rlim_max
            _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        }
        if users + 100 > Int(limit.rlim_cur) {
            logger.warning(
                "\(users) \(what) but only \(limit.rlim_cur) open files allowed (ulimit -n): some \(what == "users" ? "users" : "iterations") will fail to connect")
        }
    }
}
