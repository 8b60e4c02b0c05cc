/// The body of Locust 2.47's `GET /exceptions`: `{"exceptions": [{"count", "msg", "traceback",
/// "nodes"}]}`, one element per distinct exception (message and location), most frequent first.
///
/// `traceback` is the exception's location, the same text as the `Traceback` column of
/// `_exceptions.csv` (``StatsCSV/exceptionsRows(_:)``), and `nodes` the nodes that raised it joined by
/// `", "`, as Locust joins them.
public enum ExceptionsJSON {
    /// The body.
    public static func body(snapshot: StatsSnapshot) -> JSONValue {
        .object(["exceptions": .array(snapshot.exceptions.map(row))])
    }

    /// One element: `count`, `msg`, `traceback` and `nodes`.
    public static func row(_ exception: StatsException) -> JSONValue {
        .object([
            "count": .int(exception.count), "msg": .string(exception.message),
            "traceback": .string(traceback(exception)), "nodes": .string(nodes(exception)),
        ])
    }

    /// The traceback text shown for an exception: its location (for user code, `Class.task`), as in
    /// the CSV file.
    public static func traceback(_ exception: StatsException) -> String {
        exception.location
    }

    /// The nodes that raised an exception, joined by `", "` (Locust's `", ".join(row["nodes"])`).
    public static func nodes(_ exception: StatsException) -> String {
        exception.nodes.joined(separator: ", ")
    }
}
