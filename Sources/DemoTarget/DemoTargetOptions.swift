import NIOCore

/// The command line of `locust-demo-target`, parsed by hand so that the target needs nothing but SwiftNIO.
struct DemoTargetOptions: Equatable, Sendable {
    /// The address to bind to.
    var host = "127.0.0.1"
    /// The TCP port to bind to; 0 lets the kernel pick a free one.
    var port = 8080
    /// How many event loop threads serve connections.
    var threads = System.coreCount

    /// Why a command line could not be parsed.
    enum ParseError: Error, Equatable, CustomStringConvertible {
        /// `-h` or `--help` was given.
        case helpRequested
        /// An option this program does not know.
        case unknownOption(String)
        /// An option that needs a value came last.
        case missingValue(String)
        /// An option's value is not acceptable.
        case invalidValue(option: String, value: String)

        var description: String {
            switch self {
            case .helpRequested: "help requested"
            case .unknownOption(let option): "unknown option '\(option)'"
            case .missingValue(let option): "option '\(option)' needs a value"
            case .invalidValue(let option, let value): "invalid value '\(value)' for '\(option)'"
            }
        }
    }

    /// The text `--help` prints.
    static let usage = """
        usage: locust-demo-target [--host HOST] [--port PORT] [--threads N]
          --host HOST    address to listen on (default 127.0.0.1)
          --port PORT    TCP port, 0 picks a free one (default 8080)
          --threads N    event loop threads (default: number of cores)

        """

    /// Parses the arguments that follow the program name; both `--port 80` and `--port=80` are accepted.
    static func parse(_ arguments: [String]) throws(ParseError) -> DemoTargetOptions {
        var options = DemoTargetOptions()
        var index = arguments.startIndex
        while index < arguments.endIndex {
            let argument = arguments[index]
            index += 1
            if argument == "-h" || argument == "--help" { throw .helpRequested }

            let name: String
            let value: String
            if let equals = argument.firstIndex(of: "="), argument.hasPrefix("--") {
                name = String(argument[..<equals])
                value = String(argument[argument.index(after: equals)...])
            } else {
                name = argument
                guard ["--host", "--port", "--threads"].contains(name) else { throw .unknownOption(argument) }
                guard index < arguments.endIndex else { throw .missingValue(name) }
                value = arguments[index]
                index += 1
            }

            switch name {
            case "--host":
                guard !value.isEmpty else { throw .invalidValue(option: name, value: value) }
                options.host = value
            case "--port":
                guard let port = Int(value), (0...65_535).contains(port) else {
                    throw .invalidValue(option: name, value: value)
                }
                options.port = port
            case "--threads":
                guard let threads = Int(value), (1...256).contains(threads) else {
                    throw .invalidValue(option: name, value: value)
                }
                options.threads = threads
            default:
                throw .unknownOption(argument)
            }
        }
        return options
    }
}
