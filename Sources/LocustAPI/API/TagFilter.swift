/// Which tasks `-T/--tags` and `-E/--exclude-tags` leave to run, by Locust's rules: with tags given, a
/// task runs only if it has one of them; a task with one of the excluded tags never runs; a set runs
/// if any of its tasks does; a user class left with no task is not spawned.
@_spi(Runner) public struct TagFilter: Sendable, Hashable {
    /// Tasks must have one of these (nil or empty: no such condition).
    public var tags: Set<String>?
    /// Tasks must have none of these (nil or empty: no such condition).
    public var excludeTags: Set<String>?

    /// Creates a filter; empty sets count as not given, as in Locust.
    public init(tags: Set<String>? = nil, excludeTags: Set<String>? = nil) {
        self.tags = tags?.isEmpty == false ? tags : nil
        self.excludeTags = excludeTags?.isEmpty == false ? excludeTags : nil
    }

    /// True when the filter leaves out nothing.
    public var isEmpty: Bool { tags == nil && excludeTags == nil }

    /// Whether a task with `taskTags` runs.
    public func passes(_ taskTags: Set<String>) -> Bool {
        if let tags, taskTags.isDisjoint(with: tags) { return false }
        if let excludeTags, !taskTags.isDisjoint(with: excludeTags) { return false }
        return true
    }
}
