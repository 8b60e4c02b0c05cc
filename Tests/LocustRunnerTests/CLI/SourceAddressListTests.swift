import Testing
@testable import LocustRunner

struct SourceAddressListTests {
    @Test("Ranges expand, lists keep their order, repeats count once, IPv6 passes through")
    func parses() throws {
        #expect(try SourceAddressList.parse("127.0.0.2-127.0.0.4") == ["127.0.0.2", "127.0.0.3", "127.0.0.4"])
        #expect(try SourceAddressList.parse("10.0.0.9, 10.0.0.5,10.0.0.9") == ["10.0.0.9", "10.0.0.5"])
        #expect(try SourceAddressList.parse("10.0.0.255-10.0.1.1") == ["10.0.0.255", "10.0.1.0", "10.0.1.1"])
        #expect(try SourceAddressList.parse("::1,fd00::5") == ["::1", "fd00::5"])
        #expect(try SourceAddressList.parse("127.0.0.7-127.0.0.7") == ["127.0.0.7"])
    }

    @Test("Malformed items are refused with the reason", arguments: [
        ("127.0.0.9-127.0.0.2", "ends before it starts"),
        ("127.0.0.1,,127.0.0.2", "an empty item"),
        ("127.0.0-127.0.0.3", "127.0.0 is not an IPv4 address"),
        ("127.0.0.1-127.0.0.256", "127.0.0.256 is not an IPv4 address"),
        ("10.0.0.0-10.1.0.0", "names more than 4096 addresses"),
    ])
    func refuses(text: String, reason: String) {
        #expect {
            try SourceAddressList.parse(text)
        } throws: { error in
            "\(error)".contains(reason) && "\(error)".contains("--source-addresses \(text)")
        }
    }
}
