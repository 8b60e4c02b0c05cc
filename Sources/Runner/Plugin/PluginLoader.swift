import Foundation
import LocustStats
@_spi(Runner) import LocustAPI

/// Why a plugin could not be loaded; each case reads as one clear line.
public enum PluginError: Error, CustomStringConvertible, Equatable {
    case notFound(String)
    case notAFile(String)
    case notALibrary(String, String)
    case missingEntryPoint(String)
    case abiMismatch(path: String, plugin: Int, runner: Int)
    case unresolvedSymbols(String, String)
    case badHeader(String)
    case noUserClasses(String)
    case badUserClass(path: String, name: String, problem: String)

    public var description: String {
        switch self {
        case .notFound(let path):
            "Could not find '\(path)'. Build your scenario with 'swift build -c release' and pass the .so it makes (-f/--locustfile)."
        case .notAFile(let path):
            "'\(path)' is not a file: pass the scenario's .so library (-f/--locustfile)."
        case .notALibrary(let path, let reason):
            "'\(path)' is not a loadable plugin (\(reason)): pass a scenario built with 'swift build -c release'."
        case .missingEntryPoint(let path):
            "'\(path)' is a shared library but not a SwiftLocust plugin: it exports no 'locust_plugin_entry' (see 'locust new')."
        case .abiMismatch(let path, let plugin, let runner):
            "'\(path)' was built against LocustAPI ABI \(plugin), this locust has ABI \(runner): rebuild the scenario against this checkout ('swift build -c release')."
        case .unresolvedSymbols(let path, let symbol):
            "'\(path)' needs \(symbol), which this locust's LocustAPI lacks: it was built against another LocustAPI version; rebuild the scenario against this checkout."
        case .badHeader(let path):
            "'\(path)' exports 'locust_plugin_entry' but its answer is not a SwiftLocust plugin header: rebuild the scenario with this checkout's template."
        case .noUserClasses(let path):
            "'\(path)' exports no user classes: list them in LocustPlugin.export(...)."
        case .badUserClass(let path, let name, let problem):
            "'\(path)': user class \(name): \(problem)."
        }
    }
}

/// A plugin that was loaded and checked.
public struct LoadedPlugin: Sendable {
    /// The path it was loaded from.
    public let path: String
    /// Its user classes.
    let userClasses: [UserClass]
    /// The names of its user classes, in order.
    public var classNames: [String] { userClasses.map(\.name) }
    /// What the plugin runs once per test.
    let hooks: TestHooks
    /// The plugin's load shapes.
    let shapes: [LoadShape]
    /// The scenario's own command-line options.
    let options: [ScenarioOption]
    /// A fingerprint of the plugin: SHA-256 of the file's bytes, in hex (slaves compare it with the
    /// master's; a `-f -` slave checks the file it was sent against it).
    public let fingerprint: String
}

/// Loads scenario plugins with `dlopen` and checks them before anything of theirs runs.
public enum PluginLoader {
    /// Loads the plugin at `path`.
    ///
    /// The library is opened with `RTLD_NOW`, so a plugin that needs symbols that this LocustAPI lacks
    /// is refused before any of its code runs; then the ABI recorded in the plugin is compared with the
    /// loaded LocustAPI's. A plugin is never unloaded (Swift metadata cannot be unloaded safely).
    public static func load(path: String) throws -> LoadedPlugin {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw PluginError.notFound(path)
        }
        guard !isDirectory.boolValue else { throw PluginError.notAFile(path) }
        // dlopen searches the library path for names without a slash: always pass a path.
        let absolute = path.contains("/") ? path : "./" + path
        guard let handle = dlopen(absolute, RTLD_NOW | RTLD_LOCAL) else {
            let reason = dlerror().map { String(cString: $0) } ?? "unknown dlopen error"
            if let range = reason.range(of: "undefined symbol: ") {
                let symbol = reason[range.upperBound...].split(separator: " ").first.map(String.init) ?? "a symbol"
                if symbol.hasPrefix("$s9LocustAPI") {
                    throw PluginError.unresolvedSymbols(path, symbol)
                }
            }
            throw PluginError.notALibrary(path, shorten(reason, path: absolute))
        }
        guard let symbol = dlsym(handle, "locust_plugin_entry") else {
            throw PluginError.missingEntryPoint(path)
        }
        typealias Entry = @convention(c) () -> UnsafeMutableRawPointer?
        let entry = unsafeBitCast(symbol, to: Entry.self)
        guard let raw = entry() else { throw PluginError.badHeader(path) }
        // The header is three machine words written by LocustPlugin.export, inlined into the plugin.
        let header = raw.assumingMemoryBound(to: UInt.self)
        guard header[0] == LocustABI.magic else { throw PluginError.badHeader(path) }
        let pluginABI = Int(header[1])
        guard pluginABI == LocustABI.version else {
            throw PluginError.abiMismatch(path: path, plugin: pluginABI, runner: LocustABI.version)
        }
        guard let registration = UnsafeRawPointer(bitPattern: header[2]) else { throw PluginError.badHeader(path) }
        let plugin = Unmanaged<LocustPlugin>.fromOpaque(registration).takeUnretainedValue()
        guard !plugin.userClasses.isEmpty else { throw PluginError.noUserClasses(path) }
        for userClass in plugin.userClasses {
            if let problem = userClass.waitTime.problem {
                throw PluginError.badUserClass(path: path, name: userClass.name, problem: problem)
            }
        }
        return LoadedPlugin(path: path, userClasses: plugin.userClasses, hooks: plugin.hooks, shapes: plugin.shapes, options: plugin.options, fingerprint: fingerprint(of: path))
    }

    static func shorten(_ reason: String, path: String) -> String {
        var text = reason
        if text.hasPrefix(path + ": ") { text.removeFirst(path.count + 2) }
        return text
    }

    static func fingerprint(of path: String) -> String {
        guard let data = FileManager.default.contents(atPath: path) else { return "unknown" }
        return SHA256.hexDigest(bytes: Array(data))
    }
}
