import Testing
@testable import LocustRunner

struct UserDistributionTests {
    @Test func splitsByWeightWithLargestRemainder() {
        #expect(UserDistribution.counts(total: 10, weights: [3, 1]) == [8, 2])
        #expect(UserDistribution.counts(total: 4, weights: [3, 1]) == [3, 1])
        #expect(UserDistribution.counts(total: 1000, weights: [1, 1, 1]) == [334, 333, 333])
        #expect(UserDistribution.counts(total: 7, weights: [1, 0, 2]) == [2, 0, 5])
        #expect(UserDistribution.counts(total: 0, weights: [1, 2]) == [0, 0])
    }

    @Test func countsAlwaysAddUp() {
        for total in 0...200 {
            let counts = UserDistribution.counts(total: total, weights: [5, 3, 2, 7])
            #expect(counts.reduce(0, +) == total)
        }
    }

    @Test func spawnOrderKeepsProportionsDuringRampUp() {
        let order = UserDistribution.spawnOrder(counts: [75, 25])
        #expect(order.count == 100)
        #expect(order.filter { $0 == 0 }.count == 75)
        // Every prefix of the order stays within one user of the 3:1 ratio.
        var seen = [0, 0]
        for (index, classIndex) in order.enumerated() {
            seen[classIndex] += 1
            let expected = Double(index + 1) * 0.25
            #expect(abs(Double(seen[1]) - expected) <= 1.0)
        }
    }
}

/// Locust's `fixed_count`: fixed classes first, in turn, then the weighted ones share the rest.
struct FixedCountDistributionTests {
    @Test func fixedClassesTakeTheirCountAndTheOthersShareTheRest() {
        #expect(UserDistribution.counts(total: 10, weights: [1, 1, 1], fixed: [0, 2, 0]) == [4, 2, 4])
        #expect(UserDistribution.counts(total: 2, weights: [1, 1], fixed: [0, 2]) == [0, 2])
    }

    @Test func withFewerUsersThanFixedOnesTheFixedClassesTakeTurns() {
        #expect(UserDistribution.counts(total: 1, weights: [1, 1, 1], fixed: [0, 2, 3]) == [0, 1, 0])
        #expect(UserDistribution.counts(total: 3, weights: [1, 1, 1], fixed: [0, 2, 3]) == [0, 2, 1])
    }

    @Test func onlyFixedClassesRunTheirSumWhateverTheTotal() {
        #expect(UserDistribution.counts(total: 10, weights: [1, 1], fixed: [2, 3]) == [2, 3])
    }

    @Test func aClusterRunsTheFixedCountOnceAcrossItsSlaves() {
        let assignment = ClusterAssignment.assign(total: 10, weights: [1, 1], fixed: [0, 3], slaves: 2)
        #expect(assignment.map { $0[1] }.reduce(0, +) == 3)
        #expect(assignment.map { $0[0] }.reduce(0, +) == 7)
        #expect(assignment.map { $0.reduce(0, +) } == [5, 5])
    }
}
