import Testing
@testable import LocustRunner

struct ClusterAssignmentTests {
    @Test func thousandUsersOnThreeSlaves() {
        #expect(ClusterAssignment.assign(total: 1000, weights: [1], slaves: 3) == [[334], [333], [333]])
    }

    @Test func noSlavesNoAssignment() {
        #expect(ClusterAssignment.assign(total: 10, weights: [1, 2], slaves: 0).isEmpty)
    }

    @Test func moreSlavesThanUsers() {
        let assignment = ClusterAssignment.assign(total: 2, weights: [1], slaves: 5)
        #expect(assignment == [[1], [1], [0], [0], [0]])
    }

    /// Class totals are those of a standalone run, and slave totals differ by at most one.
    @Test(arguments: Self.cases)
    func totalsMatchAStandaloneRun(_ example: Example) {
        let assignment = ClusterAssignment.assign(total: example.total, weights: example.weights, slaves: example.slaves)
        #expect(assignment.count == example.slaves)
        let classTotals = example.weights.indices.map { index in assignment.reduce(0) { $0 + $1[index] } }
        #expect(classTotals == UserDistribution.counts(total: example.total, weights: example.weights))
        let slaveTotals = assignment.map { $0.reduce(0, +) }
        #expect(slaveTotals.max()! - slaveTotals.min()! <= 1)
    }

    /// Each class is spread over the slaves within one user, so every slave runs the classes in the
    /// weights' proportion. (Dealing the interleaved spawn order round-robin broke this whenever the
    /// order's period and the slave count shared a factor: 3 equal classes on 3 slaves gave each
    /// slave one class only; cases below.)
    @Test(arguments: Self.cases)
    func everySlaveKeepsTheWeights(_ example: Example) {
        let assignment = ClusterAssignment.assign(total: example.total, weights: example.weights, slaves: example.slaves)
        for classIndex in example.weights.indices {
            let perSlave = assignment.map { $0[classIndex] }
            #expect(
                perSlave.max()! - perSlave.min()! <= 1,
                "class \(classIndex) (weight \(example.weights[classIndex])) per slave: \(perSlave)")
        }
    }

    struct Example: Sendable, CustomTestStringConvertible {
        var total: Int
        var weights: [Int]
        var slaves: Int
        var testDescription: String { "\(total) users, weights \(weights), \(slaves) slaves" }
    }

    static let cases: [Example] = [
        Example(total: 1000, weights: [1], slaves: 3),
        Example(total: 1000, weights: [1, 1], slaves: 3),
        Example(total: 1000, weights: [3, 1], slaves: 3),  // was 251/250/249 for class 0
        Example(total: 997, weights: [1, 2, 3], slaves: 5),
        Example(total: 100, weights: [5, 1, 1], slaves: 7),  // was 0/0/5/7/2/0/0 for class 1
        Example(total: 1000, weights: [3, 1], slaves: 4),  // was 250/250/0/250 for class 0
        Example(total: 1000, weights: [3, 1], slaves: 2),
        Example(total: 900, weights: [1, 1, 1], slaves: 3),  // was one class per slave
        Example(total: 10_000, weights: [1, 1, 1, 1, 1, 1, 1, 1, 1], slaves: 1000),
    ]
}
