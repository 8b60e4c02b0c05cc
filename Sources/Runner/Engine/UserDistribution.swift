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

    /// Splits `total` users as Locust's dispatcher does with `fixed_count`: the classes with a fixed
    /// count take theirs first, one user at a time in turn (so with fewer users than their sum they
    /// share what there is); the other classes share the rest by `weights`, as
    /// ``counts(total:weights:)``. With no weighted class left, the fixed counts are all there is (the
    /// sum may then be less than `total`).
    public static func counts(total: Int, weights: [Int], fixed: [Int]) -> [Int] {
        guard fixed.contains(where: { $0 > 0 }) else { return counts(total: total, weights: weights) }
        var result = weights.map { _ in 0 }
        var left = max(0, total)
        var round = 0
        let most = fixed.max() ?? 0
        while left > 0 && round < most {
            for index in fixed.indices where fixed[index] > round && left > 0 {
                result[index] += 1
                left -= 1
            }
            round += 1
        }
        let weighted = weights.indices.map { index in index < fixed.count && fixed[index] > 0 ? 0 : weights[index] }
        for (index, count) in counts(total: left, weights: weighted).enumerated() { result[index] += count }
        return result
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
