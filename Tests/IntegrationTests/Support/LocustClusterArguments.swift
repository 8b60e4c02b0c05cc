/// The command lines of a headless master on 127.0.0.1 and of its slaves, shared by the cluster suites.
extension Locust {
    /// A headless master with the test plugin: `users` at 10 × `users`/s, `-t runTime`, waiting for
    /// `slaves`, listening on 127.0.0.1:`port`, its CSV files at `csv`; then `extra` and the classes.
    func masterArguments(port: Int, users: Int, runTime: String, slaves: Int, csv: String, extra: [String] = [], classes: [String])
        -> [String]
    {
        ["-f", binaries.testPlugin, "--master", "--headless", "-u", String(users), "-r", String(users * 10),
         "-t", runTime, "--expect-slaves", String(slaves), "--master-bind-host", "127.0.0.1",
         "--master-bind-port", String(port), "--csv", csv, "--only-summary"] + extra + classes
    }

    /// The arguments of a slave of the master on 127.0.0.1:`port` (the test plugin unless `plugin`).
    func slaveArguments(port: Int, plugin: String? = nil, extra: [String] = []) -> [String] {
        ["-f", plugin ?? binaries.testPlugin, "--slave", "--master-port", String(port)] + extra
    }

    /// Starts a slave of the master on 127.0.0.1:`port` in `directory`.
    func startSlave(port: Int, in directory: TempDirectory, plugin: String? = nil, extra: [String] = []) throws -> Subprocess {
        try start(slaveArguments(port: port, plugin: plugin, extra: extra), in: directory)
    }
}
