/// The version of the binary interface between the runner and scenario plugins.
///
/// A plugin records the version it was compiled against; the runner refuses a plugin whose version
/// differs from its own and asks for the scenario to be rebuilt.
public enum LocustABI {
    /// The ABI of the LocustAPI library loaded at run time.
    public static let version: Int = 2
    /// The ABI a plugin is compiled against: inlined into the plugin when it is built.
    @_alwaysEmitIntoClient
    public static var compiledVersion: Int { 2 }
    /// SwiftLocust's release.
    public static let productVersion = "0.1.0"
    /// The first word of an exported plugin header.
    public static let magic: UInt = 0x4C_4F_43_55_53_54_31  // "LOCUST1"
}

/// What a plugin exports: its user classes and its test hooks.
///
/// A scenario exports its users with one line, in a file that `locust new` generates:
///
/// ```swift
/// @_cdecl("locust_plugin_entry")
/// public func locustPluginEntry() -> UnsafeMutableRawPointer {
///     LocustPlugin.export(ShopUser.self, AdminUser.self)
/// }
/// ```
public final class LocustPlugin: Sendable {
    /// The exported user classes, in declaration order.
    @_spi(Runner) public let userClasses: [UserClass]
    /// What runs once per test.
    @_spi(Runner) public let hooks: TestHooks
    /// The exported load shapes.
    @_spi(Runner) public let shapes: [LoadShape]
    /// The scenario's own command-line options.
    @_spi(Runner) public let options: [ScenarioOption]

    init(userClasses: [UserClass], options: [ScenarioOption], shapes: [LoadShape], hooks: TestHooks) {
        self.userClasses = userClasses
        self.options = options
        self.shapes = shapes
        self.hooks = hooks
    }

    /// Builds the value the `locust_plugin_entry` symbol returns: a small header (magic, the ABI this
    /// plugin was compiled against, the registration) that the runner checks before using anything.
    ///
    /// - Parameters:
    ///   - users: The user classes, in the order `--list` and the web UI show them.
    ///   - options: The scenario's own command-line options (``ScenarioOption``).
    ///   - shapes: Load shapes (``LoadShape``): the only one drives every test, `--shape` picks among several.
    ///   - hooks: What runs once per test, before the first user and after the last (``TestHooks``).
    @_alwaysEmitIntoClient
    public static func export(
        _ users: any User.Type..., options: [ScenarioOption] = [], shapes: [LoadShape] = [], hooks: TestHooks = TestHooks()
    ) -> UnsafeMutableRawPointer {
        let header = UnsafeMutablePointer<UInt>.allocate(capacity: 3)
        header[0] = LocustABI.magic
        header[1] = UInt(LocustABI.compiledVersion)
        header[2] = UInt(bitPattern: makeRegistration(users, options: options, shapes: shapes, hooks: hooks))
        return UnsafeMutableRawPointer(header)
    }

    /// Retains a plugin value for the runner and returns it as an opaque pointer. Not API: only
    /// ``export(_:options:shapes:hooks:)``, inlined into plugins, calls it.
    @usableFromInline
    static func makeRegistration(_ users: [any User.Type], options: [ScenarioOption], shapes: [LoadShape], hooks: TestHooks) -> Int {
        let plugin = LocustPlugin(userClasses: users.map { makeUserClass($0) }, options: options, shapes: shapes, hooks: hooks)
        return Int(bitPattern: Unmanaged.passRetained(plugin).toOpaque())
    }
}

/// Opens an existential user type into a concrete one.
func makeUserClass<U: User>(_ type: U.Type) -> UserClass { UserClass(type) }
