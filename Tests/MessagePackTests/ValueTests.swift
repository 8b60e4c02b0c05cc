import MessagePack
import Testing

struct ValueTests {
    @Test("literals build the expected cases")
    func literals() {
        let value: MessagePackValue = ["type": "heartbeat", "data": nil, "n": -3, "m": 3, "x": 1.5, "ok": false, "list": [1, "a"]]
        #expect(value == .map([
            .init(.string("type"), .string("heartbeat")), .init(.string("data"), .nil), .init(.string("n"), .int(-3)),
            .init(.string("m"), .uint(3)), .init(.string("x"), .double(1.5)), .init(.string("ok"), .bool(false)),
            .init(.string("list"), .array([.uint(1), .string("a")])),
        ]))
    }

    @Test("accessors return nil when the type does not fit")
    func accessors() {
        #expect(MessagePackValue.nil.isNil)
        #expect(!MessagePackValue.uint(0).isNil)
        #expect(MessagePackValue.bool(true).boolValue == true)
        #expect(MessagePackValue.uint(1).boolValue == nil)
        #expect(MessagePackValue.uint(7).intValue == 7)
        #expect(MessagePackValue.int(-7).intValue == -7)
        #expect(MessagePackValue.uint(.max).intValue == nil)
        #expect(MessagePackValue.double(3).intValue == 3)
        #expect(MessagePackValue.float(-2).intValue == -2)
        #expect(MessagePackValue.double(3.5).intValue == nil)
        #expect(MessagePackValue.double(.nan).intValue == nil)
        #expect(MessagePackValue.double(1e19).intValue == nil)
        #expect(MessagePackValue.string("3").intValue == nil)
        #expect(MessagePackValue.double(2.5).doubleValue == 2.5)
        #expect(MessagePackValue.float(0.5).doubleValue == 0.5)
        #expect(MessagePackValue.int(-4).doubleValue == -4)
        #expect(MessagePackValue.uint(4).doubleValue == 4)
        #expect(MessagePackValue.nil.doubleValue == nil)
        #expect(MessagePackValue.string("s").stringValue == "s")
        #expect(MessagePackValue.binary([0x73]).stringValue == nil)
        #expect(MessagePackValue.array([1]).arrayValue == [1])
        #expect(MessagePackValue.map([]).arrayValue == nil)
        #expect(MessagePackValue.map([.init(1, 2)]).mapValue == [.init(1, 2)])
        #expect(MessagePackValue.array([]).mapValue == nil)
    }

    @Test("subscript finds the first pair with a string key")
    func subscriptByKey() {
        let value: MessagePackValue = .map([.init(1, "int key"), .init("a", 1), .init("a", 2), .init("b", nil)])
        #expect(value["a"] == 1)
        #expect(value["b"] == .nil)
        #expect(value["1"] == nil)
        #expect(value["c"] == nil)
        #expect(MessagePackValue.array(["a"])["a"] == nil)
    }

    @Test("maps keep their order and duplicates; equality and hashing are structural")
    func mapsAndHashing() throws {
        let value: MessagePackValue = .map([.init("b", 1), .init("a", 2), .init("b", 3)])
        let decoded = try MessagePackValue.decode(value.encoded())
        #expect(decoded == value)
        #expect(decoded.mapValue?.map(\.key) == ["b", "a", "b"])
        #expect(decoded != .map([.init("a", 2), .init("b", 1), .init("b", 3)]))
        let set: Set<MessagePackValue> = [.int(1), .uint(1), 1, "1", [1], [1: 1]]
        #expect(set.count == 5)
    }
}
