/// Spreads a cluster's users over its slaves.
public enum ClusterAssignment {
    /// Per-slave, per-class user counts for `total` users of classes weighted `weights` on `slaves` slaves.
    ///
    /// The class counts are those a standalone run would use (largest remainder); users are then dealt
    /// to slaves in the interleaved spawn order, so slave totals differ by at most one (1000 on 3:
    /// 334/333/333) and each class is spread as evenly as the totals allow.
    public static func assign(total: Int, weights: [Int], slaves: Int) -> [[Int]] {
        guard slaves > 0 else { return [] }
        let classCounts = UserDistribution.counts(total: total, weights: weights)
        let order = UserDistribution.spawnOrder(counts: classCounts)
        var result = Array(repeating: Array(repeating: 0, count: weights.count), count: slaves)
        for (index, classIndex) in order.enumerated() {
            result[index % slaves][classIndex] += 1
        }
        return result
    }
}
