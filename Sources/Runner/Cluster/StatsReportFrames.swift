import LocustStats

/// A slave's statistics report as the frames it sends: one, or the report cut into parts (each a
/// whole `stats` message, merged by the master as any other) when it is over the master's message
/// limit, so that a run with thousands of request names loses nothing to the limit.
enum StatsReportFrames {
    /// The frames of `report`, each at most `limit` bytes, and the requests of any part that could not
    /// be brought under it (a single entry or error over the limit: dropped rather than sent, since the
    /// master would drop the connection).
    static func frames(
        of report: ClusterMessage.StatsReport, nodeID: String, limit: Int = ClusterProtocol.reportPartLimit
    ) -> (frames: [[UInt8]], droppedRequests: Int) {
        let whole = ClusterMessageCodec.encode(.stats(report), nodeID: nodeID)
        guard whole.count > limit else { return ([whole], 0) }
        let most = max(report.snapshot.entries.count, report.snapshot.errors.count, 1)
        var pieces = min(most, whole.count / max(1, limit) + 1)
        while true {
            let parts = report.snapshot.parts(pieces).map { snapshot -> (bytes: [UInt8], requests: Int) in
                var part = report
                part.snapshot = snapshot
                let requests = snapshot.entries.reduce(0) { $0 + $1.numRequests }
                return (ClusterMessageCodec.encode(.stats(part), nodeID: nodeID), requests)
            }
            if parts.allSatisfy({ $0.bytes.count <= limit }) || pieces >= most {
                let kept = parts.filter { $0.bytes.count <= limit }
                let dropped = parts.filter { $0.bytes.count > limit }.reduce(0) { $0 + $1.requests }
                return (kept.map(\.bytes), dropped)
            }
            pieces = min(most, pieces * 2)
        }
    }
}
