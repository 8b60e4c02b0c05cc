import Testing
@testable import LocustAPI

struct CookieJarTests {
    func headers(_ lines: String...) -> [UInt8] {
        Array(("HTTP/1.1 200 OK\r\n" + lines.map { $0 + "\r\n" }.joined() + "\r\n").utf8)
    }

    @Test func storesAndSendsCookies() {
        var jar = CookieJar()
        jar.store(headerBytes: headers("Set-Cookie: session=abc; Path=/", "Set-Cookie: theme=dark"), url: "http://127.0.0.1:8080/login")
        #expect(jar.header(for: "http://127.0.0.1:8080/cart") == "session=abc; theme=dark")
    }

    @Test func scopesCookiesByHostAndPath() {
        var jar = CookieJar()
        jar.store(headerBytes: headers("set-cookie: a=1; Path=/admin"), url: "http://shop.test/admin/login")
        #expect(jar.header(for: "http://shop.test/admin/users") == "a=1")
        #expect(jar.header(for: "http://shop.test/administrator") == nil)
        #expect(jar.header(for: "http://shop.test/") == nil)
        #expect(jar.header(for: "http://other.test/admin") == nil)
    }

    @Test func domainCookiesReachSubdomains() {
        var jar = CookieJar()
        jar.store(headerBytes: headers("Set-Cookie: d=1; Domain=.shop.test"), url: "http://www.shop.test/")
        #expect(jar.header(for: "http://api.shop.test/x") == "d=1")
        #expect(jar.header(for: "http://notshop.test/x") == nil)
    }

    @Test func maxAgeZeroAndPastExpiryDelete() {
        var jar = CookieJar()
        jar.store(headerBytes: headers("Set-Cookie: session=abc; Path=/"), url: "http://h/")
        jar.store(headerBytes: headers("Set-Cookie: session=; Path=/; Max-Age=0"), url: "http://h/logout")
        #expect(jar.isEmpty)
        jar.store(headerBytes: headers("Set-Cookie: x=1"), url: "http://h/")
        jar.store(headerBytes: headers("Set-Cookie: x=1; Expires=Thu, 01 Jan 1970 00:00:00 GMT"), url: "http://h/")
        #expect(jar.isEmpty)
    }

    @Test func replacesACookieOfTheSameName() {
        var jar = CookieJar()
        jar.store(headerBytes: headers("Set-Cookie: n=1"), url: "http://h/")
        jar.store(headerBytes: headers("Set-Cookie: n=2"), url: "http://h/")
        #expect(jar.header(for: "http://h/") == "n=2")
    }

    @Test func parsesHostAndPath() {
        #expect(CookieJar.hostAndPath("https://User@Example.COM:8443/a/b?q=1") == ("example.com", "/a/b"))
        #expect(CookieJar.hostAndPath("http://[::1]:80") == ("[::1]", "/"))
    }
}

struct FormEncodingTests {
    @Test func escapesLikeFormEncoding() {
        #expect(FormEncoding.escape("a b&c=d/é~") == "a+b%26c%3Dd%2F%C3%A9~")
        let body = HTTPBody.form(["user": "ada lovelace", "pw": "s&cret"])
        #expect(String(decoding: body.bytes, as: UTF8.self) == "user=ada+lovelace&pw=s%26cret")
        #expect(body.contentType == "application/x-www-form-urlencoded")
    }

    @Test func jsonBodiesCarryTheirType() throws {
        let body = try HTTPBody.json(["a": 1])
        #expect(String(decoding: body.bytes, as: UTF8.self) == "{\"a\":1}")
        #expect(body.contentType == "application/json")
    }
}
