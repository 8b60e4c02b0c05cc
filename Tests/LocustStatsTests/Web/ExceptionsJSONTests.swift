import Testing
@testable import LocustStats

struct ExceptionsJSONTests {
    static func snapshot() -> StatsSnapshot {
        let stats = RequestStats(startTime: 1_700_000_000)
        stats.recordException(message: "boom", location: "WebUser.boom", node: "vm_b")
        stats.recordException(message: "boom", location: "WebUser.boom", node: "vm_a")
        stats.recordException(message: "boom", location: "WebUser.boom", node: "vm_a")
        stats.recordException(message: "other <b>", location: "OtherUser.other", node: "local")
        return stats.snapshot()
    }

    @Test func keysAndTypesAreLocusts() throws {
        let fixture = try WebFixtures.json("exceptions.json")
        let body = ExceptionsJSON.body(snapshot: Self.snapshot())
        #expect(WebFixtures.keys(body) == WebFixtures.keys(fixture))
        let expected = try #require(fixture["exceptions"]?[0])
        let rows = try #require(body["exceptions"]?.arrayValue)
        #expect(rows.count == 2)
        for row in rows {
            #expect(WebFixtures.keys(row) == WebFixtures.keys(expected))
            for key in WebFixtures.keys(expected) {
                #expect(WebFixtures.type(row[key]) == WebFixtures.type(expected[key]), "\(key)")
            }
        }
    }

    @Test func rowsHoldCountMessageNodesJoinedAndTheCSVsTraceback() throws {
        let snapshot = Self.snapshot()
        let rows = try #require(ExceptionsJSON.body(snapshot: snapshot)["exceptions"]?.arrayValue)
        // Most frequent first, nodes sorted and joined by ", " as Locust joins them.
        #expect(rows[0] == .object([
            "count": .int(3), "msg": .string("boom"), "traceback": .string("WebUser.boom"), "nodes": .string("vm_a, vm_b"),
        ]))
        #expect(rows[1]["nodes"] == .string("local"))
        #expect(rows[1]["msg"] == .string("other <b>"))
        // The same texts as the `_exceptions.csv` rows.
        let csv = StatsCSV().exceptionsRows(snapshot)
        for (row, line) in zip(rows, csv) {
            #expect(row["count"]?.serialized() == line[0])
            #expect(row["msg"]?.stringValue == line[1])
            #expect(row["traceback"]?.stringValue == line[2])
            #expect(row["nodes"]?.stringValue == line[3])
        }
    }

    @Test func noExceptionsGiveAnEmptyList() {
        #expect(ExceptionsJSON.body(snapshot: .empty()).serialized() == #"{"exceptions":[]}"#)
    }
}
