import LocustRunner

/// The simulator's command line (`locust-slave-sim --help`).
struct SimulatorOptions {
    var slaves = 1
    var masterHost = "127.0.0.1"
    var masterPort = 5557
    var names = 10
    var plugin = ""
    /// Seconds after which the simulated slaves quit on their own; 0: only when the master says quit.
    var duration = 0.0
    /// Requests per second each simulated user makes (the samples in the statistics reports).
    var rpsPerUser = 1.0
    /// Share of the samples recorded as failures.
    var failRatio = 0.01
    /// Connection attempts in flight at once.
    var connectConcurrency = 64
    /// Seconds to keep retrying connections the master refuses (it may not listen yet).
    var connectTimeout = 30.0
    /// Event loop threads.
    var threads = 1
    var verbose = false
    /// Every report built for its slave alone (costly) instead of shared for up to 1 s.
    var uniqueReports = false
    /// Only time one report's costs (record, snapshot, encode, decode, merge) and exit.
    var codecBenchmark = false
    var benchmarkSamples = 30

    static let usage = """
        USAGE: locust-slave-sim --plugin PLUGIN.so [options]

        Connects many simulated slaves to a SwiftLocust master from one process. Each speaks the real
        coordinator protocol, Locust 2.x's wire (a ZMTP 3.1 DEALER over TCP with the NULL mechanism,
        one MessagePack frame per message): client_ready, a heartbeat every 1 s with the plugin's
        fingerprint and classes, spawning/spawning_complete, a stats delta every 1 s with synthetic
        samples, client_stopped, quit; but it runs no users and sends no requests. Many slaves share
        a few event loop threads (a small ZMTP client of its own, not one libzmq socket each). Prints
        how many slaves were accepted and how many stats reports were sent.

        OPTIONS:
          --plugin PATH              the plugin the master runs (its fingerprint and classes are sent)
          --slaves N                 simulated slaves (default 1)
          --master-host HOST         (default 127.0.0.1)
          --master-port PORT         (default 5557)
          --names N                  request names in each stats report (default 10)
          --duration SPAN            quit on our own after this long, e.g. 30s (default: when told)
          --rps-per-user X           synthetic requests per second per spawned user (default 1)
          --fail-ratio X             share of synthetic requests that fail (default 0.01)
          --connect-concurrency N    connection attempts in flight (default 64)
          --connect-timeout SPAN     keep retrying refused connections this long (default 30s)
          --threads N                event loop threads (default 1)
          --unique-reports           build and encode every stats report for its slave alone
                                     (costly, see --codec-benchmark); by default a report built at
                                     most 1 s earlier for a user count of the same power of two is
                                     sent again, with the slave's own user count
          --verbose                  print every rejection and unexpected close
          --codec-benchmark          time one report's record/snapshot/encode/decode/merge (the
                                     MessagePack codec) with --names names and --samples samples,
                                     then exit (no master)
          --samples N                samples per report for --codec-benchmark (default 30)
        """

    static func parse(_ arguments: [String]) throws(SimulatorError) -> SimulatorOptions {
        var options = SimulatorOptions()
        var iterator = arguments.makeIterator()
        func value(_ flag: String) throws(SimulatorError) -> String {
            guard let next = iterator.next() else { throw .usage("\(flag) needs a value") }
            return next
        }
        func integer(_ flag: String, min: Int, max: Int = .max) throws(SimulatorError) -> Int {
            let text = try value(flag)
            guard let number = Int(text), number >= min, number <= max else {
                throw .usage("\(flag) must be an integer in \(min)...\(max), got '\(text)'")
            }
            return number
        }
        func real(_ flag: String) throws(SimulatorError) -> Double {
            let text = try value(flag)
            guard let number = Double(text), number >= 0, number.isFinite else {
                throw .usage("\(flag) must be a number >= 0, got '\(text)'")
            }
            return number
        }
        func span(_ flag: String) throws(SimulatorError) -> Double {
            let text = try value(flag)
            guard let seconds = TimeSpan.seconds(text) else { throw .usage("\(flag): invalid time span '\(text)'") }
            return seconds
        }
        while let argument = iterator.next() {
            switch argument {
            case "--slaves": options.slaves = try integer(argument, min: 1)
            case "--master-host": options.masterHost = try value(argument)
            case "--master-port": options.masterPort = try integer(argument, min: 1, max: 65535)
            case "--names": options.names = try integer(argument, min: 1, max: 100_000)
            case "--plugin", "-f": options.plugin = try value(argument)
            case "--duration": options.duration = try span(argument)
            case "--rps-per-user": options.rpsPerUser = try real(argument)
            case "--fail-ratio":
                options.failRatio = try real(argument)
                guard options.failRatio <= 1 else { throw .usage("--fail-ratio must be in 0...1") }
            case "--connect-concurrency": options.connectConcurrency = try integer(argument, min: 1)
            case "--connect-timeout": options.connectTimeout = try span(argument)
            case "--threads": options.threads = try integer(argument, min: 1, max: 64)
            case "--verbose", "-v": options.verbose = true
            case "--unique-reports": options.uniqueReports = true
            case "--codec-benchmark": options.codecBenchmark = true
            case "--samples": options.benchmarkSamples = try integer(argument, min: 1)
            case "--help", "-h": throw .help
            default: throw .usage("unknown argument '\(argument)'")
            }
        }
        guard !options.plugin.isEmpty || options.codecBenchmark else { throw .usage("--plugin PLUGIN.so is required") }
        return options
    }
}

/// Why the simulator stops before it starts.
enum SimulatorError: Error {
    case help
    case usage(String)
}
