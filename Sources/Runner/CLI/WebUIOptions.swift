import ArgumentParser

/// Where and how the web UI is served, and whether it starts the test by itself.
public struct WebUIOptions: ParsableArguments, Sendable {
    /// Creates options with their defaults.
    public init() {}

    /// `--web-host`: the web UI's listening address.
    @Option(name: .customLong("web-host"), help: ArgumentHelp("Where the web UI listens; 0.0.0.0 is every interface.", valueName: "HOST"))
    public var webHost: String = "0.0.0.0"

    /// `--web-port`: the web UI's port.
    @Option(name: .customLong("web-port"), help: ArgumentHelp("The web UI's port.", valueName: "PORT"))
    public var webPort: Int = 8089

    /// `--web-auth`: `user:password` for basic authentication.
    @Option(name: .customLong("web-auth"), help: ArgumentHelp("Require HTTP basic authentication on the web UI and API.", valueName: "USER:PASSWORD"))
    public var webAuth: String?

    /// `--tls-cert`: the web UI's PEM certificate.
    @Option(
        name: .customLong("tls-cert"),
        help: ArgumentHelp("Serve the web UI over HTTPS with this PEM certificate (with --tls-key).", valueName: "PATH"))
    public var tlsCert: String?

    /// `--tls-key`: the web UI's PEM private key.
    @Option(name: .customLong("tls-key"), help: ArgumentHelp("The PEM private key of --tls-cert.", valueName: "PATH"))
    public var tlsKey: String?

    /// `--web-base-path`: the path prefix the web UI is served under.
    @Option(
        name: .customLong("web-base-path"),
        help: ArgumentHelp("Serve the web UI under this path, e.g. /locust behind a reverse proxy.", valueName: "PATH"))
    public var webBasePath: String?

    /// `--autostart`: start the test at once and serve the web UI.
    @Flag(name: .customLong("autostart"), help: "Start the test at once with -u/-r/-t; the web UI is still served.")
    public var autostart = false

    /// `--autoquit`: seconds to wait after the test ends before exiting.
    @Option(
        name: .customLong("autoquit"),
        help: ArgumentHelp("Exit this many seconds after the test ends (with --autostart, or headless).", valueName: "SECONDS"))
    public var autoquit: Int?
}
