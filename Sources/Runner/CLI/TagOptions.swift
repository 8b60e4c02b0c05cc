import ArgumentParser

/// `-T/--tags` and `-E/--exclude-tags`: which tagged tasks run (Locust's "Tag options").
public struct TagOptions: ParsableArguments, Sendable {
    /// Creates options with their defaults.
    public init() {}

    /// `-T`: run only tasks with one of these tags.
    @Option(
        name: [.customShort("T"), .customLong("tags")], parsing: .upToNextOption,
        help: ArgumentHelp(
            "Run only the tasks (and task sets) with one of these tags; a user class left with no task is not spawned.",
            valueName: "TAG"))
    public var tags: [String] = []

    /// `-E`: never run tasks with one of these tags.
    @Option(
        name: [.customShort("E"), .customLong("exclude-tags")], parsing: .upToNextOption,
        help: ArgumentHelp("Leave out the tasks (and task sets) with one of these tags.", valueName: "TAG"))
    public var excludeTags: [String] = []
}
