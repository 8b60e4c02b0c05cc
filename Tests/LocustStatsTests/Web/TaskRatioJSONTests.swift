import Testing
@testable import LocustStats

struct TaskRatioJSONTests {
    /// The fixture's locustfile: WebUser (weight 1; index 3, missing 1, boom 1) and OtherUser
    /// (weight 2; other 1).
    static func classes(webUser: Int = 1, otherUser: Int = 2) -> [TaskRatioClass] {
        [
            TaskRatioClass(name: "WebUser", weight: webUser, tasks: [
                .init(name: "index", weight: 3), .init(name: "missing", weight: 1), .init(name: "boom", weight: 1),
            ]),
            TaskRatioClass(name: "OtherUser", weight: otherUser, tasks: [.init(name: "other", weight: 1)]),
        ]
    }

    @Test func bodyEqualsLocustsTasksAnswer() throws {
        // Locust's /tasks counted the running users (2 WebUser, 4 OtherUser): the same ratios as 1 : 2.
        let fixture = try WebFixtures.json("tasks.json")
        #expect(TaskRatioJSON.body(classes: Self.classes()) == fixture)
        #expect(TaskRatioJSON.body(classes: Self.classes(webUser: 2, otherUser: 4)) == fixture)
        #expect(TaskRatioJSON.body(classes: Self.classes()).serialized(pretty: true) + "\n" == (try WebFixtures.text("tasks.json")))
    }

    @Test func reportTasksEqualLocustsForOneUserOfEach() throws {
        let fixture = try WebFixtures.json("report_templateArgs.json")
        #expect(TaskRatioJSON.body(classes: Self.classes(webUser: 1, otherUser: 1)) == fixture["tasks"])
    }

    @Test func exactFloatsOfTheTotalView() {
        let total = TaskRatioJSON.ratios(classes: Self.classes(), total: true)
        #expect(total["WebUser"]?["ratio"] == .double(0.3333333333333333))
        #expect(total["WebUser"]?["tasks"]?["index"]?["ratio"] == .double(0.2))
        #expect(total["WebUser"]?["tasks"]?["boom"]?["ratio"] == .double(0.06666666666666667))
        #expect(total["OtherUser"]?["tasks"]?["other"]?["ratio"] == .double(0.6666666666666666))
        let perClass = TaskRatioJSON.ratios(classes: Self.classes(), total: false)
        #expect(perClass["WebUser"]?["tasks"]?["index"]?["ratio"] == .double(0.6))
        #expect(perClass["OtherUser"]?["tasks"]?["other"]?["ratio"] == .double(1.0))
    }

    @Test func noUsersGiveZeroClassRatiosAndDuplicateTasksAdd() {
        let none = TaskRatioJSON.ratios(classes: Self.classes(webUser: 0, otherUser: 0), total: true)
        #expect(none["WebUser"]?["ratio"] == .double(0))
        #expect(none["WebUser"]?["tasks"]?["index"]?["ratio"] == .double(0))
        let perClass = TaskRatioJSON.ratios(classes: Self.classes(webUser: 0, otherUser: 0), total: false)
        #expect(perClass["WebUser"]?["tasks"]?["index"]?["ratio"] == .double(0.6))
        let doubled = TaskRatioJSON.ratios(
            classes: [TaskRatioClass(name: "U", weight: 1, tasks: [
                .init(name: "a", weight: 1), .init(name: "b", weight: 2), .init(name: "a", weight: 1),
                .init(name: "never", weight: 0),
            ])], total: false)
        #expect(doubled["U"]?["tasks"]?["a"]?["ratio"] == .double(0.5))
        #expect(doubled["U"]?["tasks"]?["b"]?["ratio"] == .double(0.5))
        #expect(doubled["U"]?["tasks"]?["never"] == nil)
        #expect(TaskRatioJSON.body(classes: []).serialized() == #"{"per_class":{},"total":{}}"#)
    }

    @Test func textIsLocustsShowTaskRatioLayout() {
        func line(_ percent: String, _ name: String, indent: String = "") -> String {
            " " + PythonFormat.leftAligned(indent + PythonFormat.leftAligned(percent, 6), 10) + " "
                + PythonFormat.leftAligned(indent + name, 50)
        }
        #expect(TaskRatioJSON.lines(classes: Self.classes(), total: false) == [
            line("33.3", "WebUser"), line("60.0", "index", indent: "  "), line("20.0", "missing", indent: "  "),
            line("20.0", "boom", indent: "  "), line("66.7", "OtherUser"), line("100.0", "other", indent: "  "),
        ])
        // The exact text of one line: " %-10s %-50s" % ("%-6.1f" % 66.67, "OtherUser").
        #expect(line("66.7", "OtherUser") == " 66.7       OtherUser" + String(repeating: " ", count: 41))
        let text = TaskRatioJSON.text(classes: Self.classes())
        let dashes = String(repeating: "-", count: 80)
        #expect(text.hasPrefix("\n Task ratio per User class\n\(dashes)\n" + line("33.3", "WebUser") + "\n"))
        #expect(text.contains("\n\n Total task ratio\n\(dashes)\n" + line("33.3", "WebUser") + "\n" + line("20.0", "index", indent: "  ")))
        #expect(text.hasSuffix(line("66.7", "other", indent: "  ") + "\n"))
    }
}
