#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Entry point of `locust-demo-target`: a tiny HTTP/1.1 shop that load scenarios run against.
///
/// Usage: `locust-demo-target [--host 127.0.0.1] [--port 8080] [--threads N]`.
/// Once it listens it prints `demo target listening on http://HOST:PORT` and serves until SIGINT or SIGTERM.
@main
enum DemoTargetMain {
    /// Parses the command line, runs the server until a signal stops it and exits with a status that
    /// tells how it went: 0 after a clean stop, 1 when the server could not start, 2 on a bad command line.
    static func main() {
        let options: DemoTargetOptions
        do {
            options = try DemoTargetOptions.parse(Array(CommandLine.arguments.dropFirst()))
        } catch DemoTargetOptions.ParseError.helpRequested {
            StandardStream.output.write(DemoTargetOptions.usage)
            exit(0)
        } catch {
            StandardStream.error.write("locust-demo-target: \(error)\n\(DemoTargetOptions.usage)")
            exit(2)
        }

        do {
            try DemoServer(options: options).run()
        } catch {
            StandardStream.error.write("locust-demo-target: \(error)\n")
            exit(1)
        }
    }
}
