/// Spreads a cluster's users over its slaves.
public enum ClusterAssignment {
    /// Per-slave, per-class user counts for `total` users of classes weighted `weights` on `slaves` slaves.
    ///
    /// The class counts are those a standalone run would use (largest remainder). Each class gives
    /// every slave `count / slaves` users; the remainders are dealt one per slave with a pointer that
    /// keeps turning from class to class. So slave totals differ by at most one (1000 on 3:
    /// 334/333/333), and each class's users differ by at most one between slaves: every slave runs
    /// the classes in their weights' proportion.
    /// Classes with a `fixed` count (Locust's `fixed_count`) take it cluster-wide before the others
    /// share the rest (``UserDistribution/counts(total:weights:fixed:)``).
    public static func assign(total: Int, weights: [Int], fixed: [Int] = [], slaves: Int) -> [[Int]] {
        guard slaves > 0 else { return [] }
        let classCounts = UserDistribution.counts(total: total, weights: weights, fixed: fixed)
        var result = Array(repeating: Array(repeating: 0, count: weights.count), count: slaves)
        var pointer = 0
        for (classIndex, count) in classCounts.enumerated() {
            for slave in 0..<slaves { result[slave][classIndex] = count / slaves }
            for _ in 0..<(count % slaves) {
                result[pointer][classIndex] += 1
                pointer = (pointer + 1) % slaves
            }
        }
        return result
    }
}
