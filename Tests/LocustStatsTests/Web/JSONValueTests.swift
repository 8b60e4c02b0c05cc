import Testing
@testable import LocustStats

struct JSONValueTests {
    @Test func doublesArePrintedAsPythonsRepr() {
        #expect(JSONValue.double(15).serialized() == "15.0")
        #expect(JSONValue.double(0.08695652173913043).serialized() == "0.08695652173913043")
        #expect(JSONValue.double(0.00001).serialized() == "1e-05")
        #expect(JSONValue.double(1.5e16).serialized() == "1.5e+16")
        #expect(JSONValue.double(-0.0).serialized() == "-0.0")
        #expect(JSONValue.double(1796156372.2334018).serialized() == "1796156372.2334018")
        #expect(JSONValue.int(15).serialized() == "15")
    }

    @Test func nonFiniteDoublesBecomeNull() {
        let value = JSONValue.array([.double(.nan), .double(.infinity), .double(-.infinity)])
        #expect(value.serialized() == "[null,null,null]")
    }

    @Test func optionalInitialisersGiveNullForNil() {
        #expect(JSONValue(nil as Double?) == .null)
        #expect(JSONValue(2.5 as Double?) == .double(2.5))
        #expect(JSONValue(nil as Int?) == .null)
        #expect(JSONValue("x" as String?) == .string("x"))
    }

    @Test func objectKeysAreSortedByCodePoint() {
        let value = JSONValue.object(["b": .int(1), "B": .int(2), "a": .int(3), "é": .int(4), "_": .int(5)])
        #expect(value.serialized() == #"{"B":2,"_":5,"a":3,"b":1,"\u00e9":4}"#)
    }

    @Test func stringsAreEscapedAsPythonsEnsureASCII() {
        let value = JSONValue.string("a\"b\\c\n\r\t\u{08}\u{0C}\u{01}\u{7F}/é😀")
        #expect(value.serialized() == #""a\"b\\c\n\r\t\b\f\u0001\u007f/\u00e9\ud83d\ude00""#)
    }

    @Test func htmlEscapingHidesMarkup() {
        let value = JSONValue.string("</script><!-- & 'x'")
        #expect(value.serialized() == #""</script><!-- & 'x'""#)
        #expect(value.serialized(escapingHTML: true) == #""\u003c/script\u003e\u003c!-- \u0026 \u0027x\u0027""#)
    }

    @Test func prettyFormIsFlasksDebugIndentation() {
        let value = JSONValue.object([
            "list": .array([.int(1), .object(["k": .null])]), "empty": .array([]), "none": .object([:]),
        ])
        let expected = """
            {
              "empty": [],
              "list": [
                1,
                {
                  "k": null
                }
              ],
              "none": {}
            }
            """
        #expect(value.serialized(pretty: true) == expected)
        #expect(value.serialized() == #"{"empty":[],"list":[1,{"k":null}],"none":{}}"#)
    }

    @Test func reserializingLocustsAnswersGivesTheirBytes() throws {
        // Locust's Flask runs in debug mode: indent 2, sorted keys, then a newline.
        for name in ["stats_requests_running.json", "stats_requests_ready.json", "exceptions.json", "tasks.json"] {
            let text = try WebFixtures.text(name)
            let value = try WebFixtures.parse(text)
            #expect(value.serialized(pretty: true) + "\n" == text, "\(name)")
        }
    }

    @Test func subscriptsReadMembersAndElements() {
        let value = JSONValue.object(["a": .array([.int(1), .double(2.5), .string("s")])])
        #expect(value["a"]?[0]?.intValue == 1)
        #expect(value["a"]?[1]?.numberValue == 2.5)
        #expect(value["a"]?[1]?.intValue == nil)
        #expect(value["a"]?[2]?.stringValue == "s")
        #expect(value["a"]?[3] == nil)
        #expect(value["b"] == nil)
        #expect(value["a"]?["x"] == nil)
        #expect(value.objectValue?.count == 1)
        #expect(value["a"]?.arrayValue?.count == 3)
    }
}
