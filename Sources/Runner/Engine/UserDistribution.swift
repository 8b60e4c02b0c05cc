/// How many users of each class to run, and in which order to start them.
public enum UserDistribution {
    /// Splits `total` users over classes in proportion to `weights`, by largest remainder; ties go to
    /// the class listed first. The counts add up to `total` (when any weight is positive).
    public static func counts(total: Int, weights: [Int]) -> [Int] {
        let sum = weights.reduce(0) { $0 + max(0, $1) }
        guard total > 0, sum > 0 else { return weights.map { _ in 0 } }
        var counts = weights.map { max(0, $0) * total / sum }
        var assigned = counts.reduce(0, +)
        let remainders = weights.enumerated().map { (index: $0.offset, rest: max(0, $0.element) * total % sum) }
            .sorted { $0.rest != $1.rest ? $0.rest > $1.rest : $0.index < $1.index }
        var next = 0
        while assigned < total {
            counts[remainders[next % remainders.count].index] += 1
            assigned += 1
            next += 1
        }
        return counts
    }

    /// The order to start users in so that, at every moment of a ramp-up, the classes stay in
    /// proportion (smooth weighted round robin over `counts`).
    public static func spawnOrder(counts: [Int]) -> [Int] {
        let total = counts.reduce(0, +)
        var current = counts.map { _ in 0 }
        var left = counts
        var order: [Int] = []
        order.reserveCapacity(total)
        for _ in 0..<total {
            var best = -1
            for index in counts.indices where left[index] > 0 {
                current[index] += counts[index]
                if best < 0 || current[index] > current[best] { best = index }
            }
            current[best] -= total
            left[best] -= 1
            order.append(best)
        }
        return order
    }
}
