import Foundation

/// `locust new NAME [--directory D]`: writes a scenario package from the checkout's `templates/`.
public enum ScenarioGenerator {
    static let usage = "usage: locust new NAME [--directory DIR]"

    /// Runs the subcommand; returns the exit code.
    public static func main(_ arguments: [String]) -> Int32 {
        var name: String?
        var directory: String?
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            switch argument {
            case "-h", "--help":
                print("\(usage)\n\nWrites a SwiftLocust scenario package named NAME into DIR (default ./NAME).")
                return 0
            case "--directory", "-d":
                guard index + 1 < arguments.count else { return fail("--directory needs a value\n\(usage)") }
                directory = arguments[index + 1]
                index += 1
            default:
                if argument.hasPrefix("--directory=") {
                    directory = String(argument.dropFirst("--directory=".count))
                } else if argument.hasPrefix("-") || name != nil {
                    return fail("unexpected argument '\(argument)'\n\(usage)")
                } else {
                    name = argument
                }
            }
            index += 1
        }
        guard let name else { return fail("missing NAME\n\(usage)") }
        do {
            let target = try generate(name: name, into: directory ?? name, checkout: try checkoutPath())
            print("Created scenario \(name) in \(target)")
            print("Next: cd \(target) && swift build -c release")
            return 0
        } catch let error as RunnerError {
            return fail(error.description)
        } catch {
            return fail("\(error)")
        }
    }

    static func fail(_ message: String) -> Int32 {
        FileHandle.standardError.write(Data("locust new: error: \(message)\n".utf8))
        return LocustMain.usageExitCode
    }

    /// True for a name usable as a Swift type and package name.
    static func isValid(name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first.properties.isAlphabetic || first == "_" else { return false }
        return name.unicodeScalars.allSatisfy { ($0.isASCII && ($0.properties.isAlphabetic || $0.properties.numericType != nil)) || $0 == "_" }
    }

    /// The SwiftLocust checkout: `SWIFTLOCUST_HOME`, or the first folder above the running executable
    /// that holds `templates/scenario` and `Sources/LocustAPI`.
    static func checkoutPath() throws -> String {
        let fileManager = FileManager.default
        func isCheckout(_ path: String) -> Bool {
            fileManager.fileExists(atPath: path + "/templates/scenario/Package.swift.template")
                && fileManager.fileExists(atPath: path + "/Sources/LocustAPI/Package.swift")
        }
        if let home = ProcessInfo.processInfo.environment["SWIFTLOCUST_HOME"] {
            guard isCheckout(home) else { throw RunnerError.badInput("SWIFTLOCUST_HOME='\(home)' is not a SwiftLocust checkout") }
            return home
        }
        var url = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        if let executable = Bundle.main.executablePath {
            url = URL(fileURLWithPath: executable).resolvingSymlinksInPath().deletingLastPathComponent()
        }
        while url.path != "/" {
            if isCheckout(url.path) { return url.path }
            url.deleteLastPathComponent()
        }
        throw RunnerError.badInput("cannot find the SwiftLocust checkout (templates/): set SWIFTLOCUST_HOME")
    }

    /// Writes the package; returns its folder.
    static func generate(name: String, into directory: String, checkout: String) throws -> String {
        guard isValid(name: name) else {
            throw RunnerError.badInput("'\(name)' is not a valid scenario name: use letters, digits and _, starting with a letter")
        }
        let fileManager = FileManager.default
        if let existing = try? fileManager.contentsOfDirectory(atPath: directory), !existing.isEmpty {
            throw RunnerError.badInput("'\(directory)' exists and is not empty")
        }
        let templates = checkout + "/templates/scenario"
        let locust = checkout + "/.build/release/locust"
        let files: [(String, String)] = [
            ("Package.swift.template", "Package.swift"),
            ("README.md.template", "README.md"),
            ("gitignore.template", ".gitignore"),
            ("Sources/Scenario/Plugin.swift.template", "Sources/\(name)/Plugin.swift"),
            ("Sources/Scenario/User.swift.template", "Sources/\(name)/\(name)User.swift"),
        ]
        for (source, destination) in files {
            guard let text = try? String(contentsOfFile: templates + "/" + source, encoding: .utf8) else {
                throw RunnerError.badInput("template '\(templates)/\(source)' is missing")
            }
            let filled = text
                .replacingOccurrences(of: "{{NAME}}", with: name)
                .replacingOccurrences(of: "{{CHECKOUT}}", with: checkout)
                .replacingOccurrences(of: "{{LOCUST}}", with: locust)
            let path = directory + "/" + destination
            try fileManager.createDirectory(
                atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            guard fileManager.createFile(atPath: path, contents: Data(filled.utf8)) else {
                throw RunnerError.badInput("cannot write '\(path)'")
            }
        }
        return directory
    }
}
