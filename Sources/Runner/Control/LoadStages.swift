import Foundation
@_spi(Runner) import LocustAPI

/// k6/Goose-style stages from the command line (`--stages 10s:100,1m:100,10s:0`): each stage ramps the
/// user count linearly from where the previous one ended (0 at first) to its target over its duration.
/// A built-in load shape: it says, second by second, how many users should run, and when the test ends.
public struct LoadStages: Sendable, Equatable {
    /// One stage: ramp to `users` over `seconds`.
    public struct Stage: Sendable, Equatable {
        public var seconds: Double
        public var users: Int
    }

    public var stages: [Stage]

    /// The whole shape's length in seconds.
    public var totalSeconds: Double { stages.reduce(0) { $0 + $1.seconds } }

    /// Parses `SPAN:USERS[,SPAN:USERS...]` (spans as `-t` takes them: `10s`, `1m30s`).
    public static func parse(_ text: String) throws(StartRefusal) -> LoadStages {
        var stages: [Stage] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let pieces = part.split(separator: ":", omittingEmptySubsequences: false)
            guard pieces.count == 2 else {
                throw StartRefusal("invalid --stages '\(text)': each stage is SPAN:USERS, e.g. 10s:100, got '\(part)'")
            }
            let spanText = pieces[0].trimmingCharacters(in: .whitespaces)
            let usersText = pieces[1].trimmingCharacters(in: .whitespaces)
            guard let seconds = TimeSpan.seconds(spanText), seconds > 0 else {
                throw StartRefusal("invalid --stages '\(text)': '\(spanText)' is not a time span above 0 (10s, 1m, 1h30m)")
            }
            guard let users = Int(usersText), (0...StartPlan.maxUsers).contains(users) else {
                throw StartRefusal("invalid --stages '\(text)': '\(usersText)' is not a user count from 0 to \(StartPlan.maxUsers)")
            }
            stages.append(Stage(seconds: seconds, users: users))
        }
        return LoadStages(stages: stages)
    }

    /// The stages as a load shape: each second the users `users(at:)` says, at a rate that gets there
    /// within the second; nil after the last stage.
    var shape: LoadShape {
        LoadShape("stages") { elapsed in
            guard let count = users(at: elapsed) else { return nil }
            let before = elapsed >= 1 ? users(at: elapsed - 1) ?? count : count
            return LoadShapeTick(users: count, spawnRate: Double(max(1, abs(count - before))))
        }
    }

    /// The users that should run `elapsed` seconds into the test (rounded), or nil once it is over.
    public func users(at elapsed: Double) -> Int? {
        var start = 0.0
        var from = 0
        for stage in stages {
            let end = start + stage.seconds
            if elapsed < end {
                let progress = max(0, elapsed - start) / stage.seconds
                return Int((Double(from) + Double(stage.users - from) * progress).rounded())
            }
            start = end
            from = stage.users
        }
        return nil
    }
}
