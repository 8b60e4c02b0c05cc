import Foundation
import Testing

/// What the integration tests run: the real binaries, found through the environment that `make test` sets.
struct Binaries: Sendable {
    /// `.build/release/locust`.
    let locust: String
    /// `.build/release/locust-demo-target`.
    let demoTarget: String
    /// `Plugins/TestTargets/.build/release/libTestTargets.so`.
    let testPlugin: String
    /// `Plugins/Shop/.build/release/libShop.so`.
    let shopPlugin: String
    /// The checkout (for `scripts/nginx-test.sh`, `Sources/LocustAPI` and `Plugins/TestTargets`).
    let checkout: String

    static let variables = ["LOCUST_BIN", "LOCUST_DEMO_TARGET_BIN", "LOCUST_TEST_PLUGIN", "LOCUST_SHOP_PLUGIN", "LOCUST_CHECKOUT"]

    /// The paths, or nil when any variable is unset (then the integration tests are skipped).
    static let current: Binaries? = {
        let environment = ProcessInfo.processInfo.environment
        let values = variables.compactMap { name in environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        guard values.count == variables.count else { return nil }
        return Binaries(locust: values[0], demoTarget: values[1], testPlugin: values[2], shopPlugin: values[3], checkout: values[4])
    }()

    static var isConfigured: Bool { current != nil }

    static let skipReason: Comment = """
        integration tests skipped: set LOCUST_BIN, LOCUST_DEMO_TARGET_BIN, LOCUST_TEST_PLUGIN, LOCUST_SHOP_PLUGIN \
        and LOCUST_CHECKOUT (run them with `make test`, which builds everything and sets these)
        """

    /// The paths, checked to exist: a variable that is set but points nowhere is a failure, not a skip.
    static func require() throws -> Binaries {
        guard let current else { throw TestFailure(skipReason.rawValue) }
        for (name, path) in zip(variables, [current.locust, current.demoTarget, current.testPlugin, current.shopPlugin, current.checkout]) {
            guard FileManager.default.fileExists(atPath: path) else {
                throw TestFailure("\(name)=\(path) does not exist: run `make build` first")
            }
        }
        return current
    }

    /// `scripts/nginx-test.sh` of the checkout.
    var nginxScript: String { checkout + "/scripts/nginx-test.sh" }

    /// The user classes that Plugins/TestTargets exports.
    static let testTargetClasses = [
        "CountingUser", "FailingUser", "SlowUser", "ThrowingUser", "RefusedUser", "CustomEventUser", "PacedUser",
    ]
}

/// A failure with a message, thrown from helpers.
struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// All integration tests hang below this suite, which runs them one at a time: they measure timings and
/// count requests on shared servers, and the 2 cores would otherwise be shared between load tests and builds.
@Suite(
    "Integration: the real binaries",
    .serialized,
    .enabled(if: Binaries.isConfigured, Binaries.skipReason)
)
struct Integration {}
