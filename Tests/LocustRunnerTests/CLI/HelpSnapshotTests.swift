import Foundation
import Testing
@testable import LocustRunner

/// `locust --help` against the text in `Snapshots/help.txt`, at a fixed width, as swift-argument-parser
/// tests its own help screens.
///
/// After a deliberate change to an option or the help text, regenerate the snapshot and review its diff:
///
///     LOCUST_UPDATE_SNAPSHOTS=1 swift test --scratch-path .build-cli --filter HelpSnapshotTests
///     git diff Tests/LocustRunnerTests/CLI/Snapshots/help.txt
struct HelpSnapshotTests {
    /// The width the snapshot is rendered at (a terminal's usual 80 columns would wrap more).
    static let columns = 100

    static let snapshot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Snapshots/help.txt")

    @Test func helpMatchesTheSnapshot() throws {
        let actual = LocustCommand.helpMessage(columns: Self.columns)
        if ProcessInfo.processInfo.environment["LOCUST_UPDATE_SNAPSHOTS"] != nil {
            try (actual + "\n").write(to: Self.snapshot, atomically: true, encoding: .utf8)
        }
        let expected = try String(contentsOf: Self.snapshot, encoding: .utf8)
        let difference = Self.lineDiff(expected: expected.trimmingTrailingNewlines, actual: actual.trimmingTrailingNewlines)
        if !difference.isEmpty {
            Issue.record(
                """
                locust --help differs from \(Self.snapshot.path) (- snapshot, + now); if the change is meant, \
                regenerate it with LOCUST_UPDATE_SNAPSHOTS=1:
                \(difference)
                """)
        }
    }

    @Test func helpIsWhatLocustHelpPrints() async throws {
        // `--help` goes through LocustMain's error path; it must name the command `locust`, not `run`.
        let help = try #require(Self.helpRequest(["--help"]))
        #expect(help.hasPrefix("OVERVIEW:"))
        #expect(help.contains("USAGE: locust -f PLUGIN.so [<options>] [<user-classes> ...]"))
        #expect(!help.contains("USAGE: run"))
        #expect(try #require(Self.helpRequest(["-h"])) == help)
    }

    @Test func noDefaultIsPrintedTwice() {
        let help = LocustCommand.helpMessage(columns: 1000)
        for line in help.split(separator: "\n") {
            let defaults = line.ranges(of: "default").count
            #expect(defaults <= 1, "two defaults in: \(line)")
        }
        #expect(help.contains("Peak number of concurrent users. (default: 1)"))
        #expect(help.contains("Users started per second. (default: 1)"))
        #expect(help.contains("(default: run until stopped)"))
        #expect(help.contains("-s, --stop-timeout <SPAN>"))
        #expect(help.contains("locust new NAME [--directory DIR]"))
    }

    /// The text argument-parser prints for `arguments` when they ask for help, else nil.
    static func helpRequest(_ arguments: [String]) -> String? {
        do {
            _ = try LocustCommand.parseOptions(arguments)
            return nil
        } catch {
            guard LocustCommand.exitCode(for: error) == .success else { return nil }
            return LocustCommand.fullMessage(for: error)
        }
    }

    /// The lines that differ, `-` for the expected and `+` for the actual, with their line numbers;
    /// empty when the texts are equal. (A plain walk, enough for help texts.)
    static func lineDiff(expected: String, actual: String) -> String {
        guard expected != actual else { return "" }
        let old = expected.components(separatedBy: "\n")
        let new = actual.components(separatedBy: "\n")
        // The longest common subsequence of lines, so that an inserted option shows as one `+` line.
        var table = Array(repeating: Array(repeating: 0, count: new.count + 1), count: old.count + 1)
        for i in stride(from: old.count - 1, through: 0, by: -1) {
            for j in stride(from: new.count - 1, through: 0, by: -1) {
                table[i][j] = old[i] == new[j] ? table[i + 1][j + 1] + 1 : max(table[i + 1][j], table[i][j + 1])
            }
        }
        var lines: [String] = []
        var (i, j) = (0, 0)
        while i < old.count || j < new.count {
            if i < old.count, j < new.count, old[i] == new[j] {
                (i, j) = (i + 1, j + 1)
            } else if i < old.count, j == new.count || table[i + 1][j] >= table[i][j + 1] {
                lines.append("-\(Self.number(i + 1)) | \(old[i])")
                i += 1
            } else {
                lines.append("+\(Self.number(j + 1)) | \(new[j])")
                j += 1
            }
        }
        return lines.joined(separator: "\n")
    }

    /// A line number right-aligned in 4 columns.
    private static func number(_ value: Int) -> String {
        let text = String(value)
        return String(repeating: " ", count: max(0, 4 - text.count)) + text
    }
}

extension String {
    fileprivate var trimmingTrailingNewlines: String {
        var text = self
        while text.hasSuffix("\n") { text.removeLast() }
        return text
    }
}
