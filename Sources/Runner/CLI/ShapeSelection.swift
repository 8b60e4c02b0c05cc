@_spi(Runner) import LocustAPI

/// Which load shape drives the tests, as the command line says: `--stages`, `--step-load`, `--shape
/// NAME`, `--shape none`, or nothing (then a plugin's only shape, as Locust runs a locustfile's only
/// `LoadTestShape`).
enum ShapeSelection: Equatable {
    /// Nothing said: the plugin's shape if it has exactly one.
    case pluginDefault
    /// `--shape none`: `-u`/`-r` even if the plugin has shapes.
    case none
    /// `--shape NAME`.
    case named(String)
    /// `--stages`.
    case stages(LoadStages)
    /// `--step-load --step-users N --step-time SPAN` up to `-u`, for `-t`.
    case steps(users: Int, seconds: Double, maximum: Int, duration: Double?)

    /// Checks the shape options (one of them at most, complete).
    static func make(options: RunOptions, users: Int, runTime: Double?) throws -> ShapeSelection {
        let given = [options.shape != nil, options.stages != nil, options.stepLoad].filter { $0 }.count
        guard given <= 1 else { throw RunnerError.badInput("--shape, --stages and --step-load each drive the users: give one of them") }
        if let text = options.stages {
            do {
                return .stages(try LoadStages.parse(text))
            } catch {
                throw RunnerError.badInput(error.message)
            }
        }
        if options.stepLoad {
            guard let stepUsers = options.stepUsers, stepUsers > 0 else {
                throw RunnerError.badInput("--step-load needs --step-users N (more than 0)")
            }
            guard let text = options.stepTime, let seconds = TimeSpan.seconds(text), seconds > 0 else {
                throw RunnerError.badInput("--step-load needs --step-time SPAN (more than 0: 30s, 1m)")
            }
            return .steps(users: stepUsers, seconds: seconds, maximum: users, duration: runTime)
        }
        if options.stepUsers != nil || options.stepTime != nil {
            throw RunnerError.badInput("--step-users and --step-time go with --step-load")
        }
        switch options.shape {
        case nil: return .pluginDefault
        case "none": return ShapeSelection.none
        case let name?: return .named(name)
        }
    }

    /// The shape to run among the plugin's `shapes`, or nil for `-u`/`-r`.
    func resolve(_ shapes: [LoadShape]) throws -> LoadShape? {
        switch self {
        case .pluginDefault:
            return shapes.count == 1 ? shapes[0] : nil
        case .none:
            return nil
        case .named(let name):
            guard let shape = shapes.first(where: { $0.name == name }) else {
                let known = shapes.isEmpty ? "the plugin exports none" : "the plugin has \(shapes.map(\.name).joined(separator: ", "))"
                throw RunnerError.badInput("unknown load shape '\(name)': \(known)")
            }
            return shape
        case .stages(let stages):
            return stages.shape
        case .steps(let users, let seconds, let maximum, let duration):
            return .steps("step-load", users: users, every: seconds, upTo: maximum, for: duration)
        }
    }
}
