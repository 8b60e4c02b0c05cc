import Foundation
import Testing

extension Integration {
    /// `--source-addresses`: the users' connections leave from the given local addresses.
    @Suite("Source addresses", .sharedNginx, .timeLimit(.minutes(2)))
    struct SourceAddresses {
        let locust: Locust
        init() throws { locust = try Locust() }

        @Test("SessionUser, 30 users over 127.0.0.2-127.0.0.4: nginx sees 10 users from each address, each user from one")
        func connectionsSpreadOverAddresses() async throws {
            let nginx = try #require(NginxServer.current)
            let directory = try TempDirectory()
            defer { directory.remove() }
            let before = nginx.loggedRequests()
            let prefix = directory.file("sources")
            let result = try await locust.run(
                locust.headlessArguments(
                    userClass: "SessionUser", host: nginx.url, users: 30, runTime: "3s", csvPrefix: prefix,
                    extra: ["--stop-timeout", "5", "--source-addresses", "127.0.0.2-127.0.0.4"]),
                in: directory, timeout: .seconds(30))
            #expect(result.exited(0), "\(result)")
            let logged = await nginx.settledLoggedRequests() - before
            let entries = nginx.loggedEntries(skipping: before).filter { $0.user != "-" }
            var addressesByUser: [String: Set<String>] = [:]
            var usersByAddress: [String: Set<String>] = [:]
            for entry in entries {
                addressesByUser[entry.user, default: []].insert(entry.clientAddress)
                usersByAddress[entry.clientAddress, default: []].insert(entry.user)
            }
            #expect(addressesByUser.count == 30, "nginx saw \(addressesByUser.count) users, not 30")
            #expect(Set(usersByAddress.keys) == ["127.0.0.2", "127.0.0.3", "127.0.0.4"], "addresses: \(usersByAddress.keys.sorted())")
            #expect(usersByAddress.values.map(\.count).sorted() == [10, 10, 10], "users per address: \(usersByAddress.mapValues(\.count))")
            let moving = addressesByUser.filter { $0.value.count != 1 }
            #expect(moving.isEmpty, "users whose requests left from several addresses: \(moving)")
            let aggregated = try #require(try CSVTable.read(prefix + "_stats.csv").row(name: "Aggregated"))
            #expect(aggregated.int("Request Count") == logged, "counted \(aggregated.int("Request Count") ?? -1), nginx logged \(logged)")
            #expect(aggregated.int("Failure Count") == 0)
        }

        @Test("An address that is not this machine's, a reversed range, a name: one-line error, exit 2", arguments: [
            ("192.0.2.77", "Cannot assign requested address"),
            ("127.0.0.9-127.0.0.2", "ends before it starts"),
            ("localhost", "not a numeric IPv4 or IPv6 address"),
        ])
        func badAddressesAreRefused(addresses: String, reason: String) async throws {
            let nginx = try #require(NginxServer.current)
            let directory = try TempDirectory()
            defer { directory.remove() }
            let result = try await locust.run(
                locust.headlessArguments(
                    userClass: "CountingUser", host: nginx.url, users: 1, runTime: "2s", csvPrefix: directory.file("bad"),
                    extra: ["--source-addresses", addresses]),
                in: directory, timeout: .seconds(20))
            #expect(result.exited(2), "\(result)")
            let lines = result.stderr.split(separator: "\n").filter { $0.contains("error") }
            #expect(lines.count == 1 && lines[0].contains("--source-addresses") && lines[0].contains(reason), "stderr: \(result.stderr)")
        }
    }
}
