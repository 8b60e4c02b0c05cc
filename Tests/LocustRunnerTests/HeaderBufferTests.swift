import Testing
@testable import LocustAPI

/// libcurl hands header lines one by one; the buffer keeps the final response's lines and notes cookies.
struct HeaderBufferTests {
    func feed(_ buffer: HeaderBuffer, _ lines: [String]) {
        for line in lines {
            let bytes = Array((line + "\r\n").utf8)
            bytes.withUnsafeBytes { buffer.append($0.baseAddress!, $0.count) }
        }
    }

    @Test func keepsTheLinesOfTheFinalResponseOnly() {
        let buffer = HeaderBuffer(capacity: 16)
        feed(buffer, ["HTTP/1.1 302 Found", "Location: /next", "Set-Cookie: a=1", ""])
        feed(buffer, ["HTTP/1.1 200 OK", "Content-Length: 2", ""])
        #expect(String(decoding: buffer.bytes(), as: UTF8.self) == "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n")
        // The redirect's cookie was in a response whose lines are gone; the final one sets none.
        #expect(!buffer.sawSetCookie)
    }

    @Test func growsPastItsCapacity() {
        let buffer = HeaderBuffer(capacity: 8)
        let long = "X-Long: " + String(repeating: "v", count: 5000)
        feed(buffer, ["HTTP/1.1 200 OK", long, ""])
        #expect(buffer.count == "HTTP/1.1 200 OK\r\n".utf8.count + long.utf8.count + 2 + 2)
        #expect(String(decoding: buffer.bytes(), as: UTF8.self).contains(long))
    }

    @Test(arguments: ["Set-Cookie: s=1", "set-cookie: s=1", "SET-COOKIE:s=1"])
    func notesSetCookieInAnyCase(_ line: String) {
        let buffer = HeaderBuffer()
        feed(buffer, ["HTTP/1.1 200 OK", line, ""])
        #expect(buffer.sawSetCookie)
    }

    @Test(arguments: ["Set-Cookie2: s=1", "X-Set-Cookie: s=1", "Set-Cookies: s", "Set_Cookie: s=1"])
    func ignoresOtherHeaders(_ line: String) {
        let buffer = HeaderBuffer()
        feed(buffer, ["HTTP/1.1 200 OK", line, ""])
        #expect(!buffer.sawSetCookie)
    }

    @Test func resetForgetsTheLastResponse() {
        let buffer = HeaderBuffer()
        feed(buffer, ["HTTP/1.1 200 OK", "Set-Cookie: s=1", ""])
        buffer.reset()
        #expect(buffer.count == 0 && !buffer.sawSetCookie && buffer.bytes().isEmpty)
    }
}
