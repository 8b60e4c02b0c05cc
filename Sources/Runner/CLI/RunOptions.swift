import ArgumentParser

/// The options of `locust -f PLUGIN.so`, with Locust's names and the older ones its users know, in the
/// groups that `locust --help` shows (see ``LocustCommand``).
///
/// Every option is read as a member of the whole: `options.users` is `options.common.users`, through
/// `@dynamicMemberLookup` (option names are unique across the groups, so each member has one home).
@dynamicMemberLookup
public struct RunOptions: ParsableArguments, Sendable {
    /// Creates options with their defaults.
    public init() {}

    /// `-f`, `-H`, `-u`, `-r`, `-t`, `--headless`, `-s`, `-l`, `--config`.
    @OptionGroup(title: "Common options")
    public var common: CommonOptions

    /// `--arrival-rate`, `--arrival-stages`, `--max-concurrency`.
    @OptionGroup(title: "Open model options")
    public var openModel: OpenModelOptions

    /// `--web-host`, `--web-port`, authentication, TLS, the base path, `--autostart`, `--autoquit`.
    @OptionGroup(title: "Web UI options")
    public var webUI: WebUIOptions

    /// `--master`, `--slave` and where they meet.
    @OptionGroup(title: "Distributed options")
    public var distributed: DistributedOptions

    /// Tables, CSV, HTML and JSON, logging, the exit code.
    @OptionGroup(title: "Reporting options")
    public var reporting: ReportingOptions

    /// `--shape`, `--stages`, `--step-load`.
    @OptionGroup(title: "Load shape options")
    public var shapeOptions: ShapeOptions

    /// `-T/--tags`, `-E/--exclude-tags`.
    @OptionGroup(title: "Tag options")
    public var tagOptions: TagOptions

    /// Task ratios, equal weights, HTTP overrides, the version.
    @OptionGroup(title: "Other options")
    public var other: OtherOptions

    /// The user classes named on the command line (all when empty).
    @Argument(help: "Run only these user classes (default: all of the plugin's).")
    public var userClasses: [String] = []

    /// A common option, e.g. `options.users`.
    public subscript<Value>(dynamicMember keyPath: KeyPath<CommonOptions, Value>) -> Value { common[keyPath: keyPath] }

    /// An open-model option, e.g. `options.arrivalRate`.
    public subscript<Value>(dynamicMember keyPath: KeyPath<OpenModelOptions, Value>) -> Value { openModel[keyPath: keyPath] }

    /// A web UI option, e.g. `options.webPort`.
    public subscript<Value>(dynamicMember keyPath: KeyPath<WebUIOptions, Value>) -> Value { webUI[keyPath: keyPath] }

    /// A distributed option, e.g. `options.master`.
    public subscript<Value>(dynamicMember keyPath: KeyPath<DistributedOptions, Value>) -> Value {
        distributed[keyPath: keyPath]
    }

    /// A reporting option, e.g. `options.csv`.
    public subscript<Value>(dynamicMember keyPath: KeyPath<ReportingOptions, Value>) -> Value { reporting[keyPath: keyPath] }

    /// A load shape option, e.g. `options.stages`.
    public subscript<Value>(dynamicMember keyPath: KeyPath<ShapeOptions, Value>) -> Value { shapeOptions[keyPath: keyPath] }

    /// A tag option, e.g. `options.tags`.
    public subscript<Value>(dynamicMember keyPath: KeyPath<TagOptions, Value>) -> Value { tagOptions[keyPath: keyPath] }

    /// Another option, e.g. `options.insecure`.
    public subscript<Value>(dynamicMember keyPath: KeyPath<OtherOptions, Value>) -> Value { other[keyPath: keyPath] }
}
