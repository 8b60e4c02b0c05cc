import Testing

@testable import LocustAPI

/// Only URLs with an HTTP scheme go to libcurl parsed (`CURLOPT_CURLU`); others go as strings.
@Suite("HTTP schemes of request URLs")
struct URLSchemeTests {
    @Test("http:// and https:// in any case have an HTTP scheme")
    func httpSchemes() {
        #expect(CurlTransfer.hasHTTPScheme("http://127.0.0.1:8080/a"))
        #expect(CurlTransfer.hasHTTPScheme("https://example.com"))
        #expect(CurlTransfer.hasHTTPScheme("HTTP://EXAMPLE.COM/"))
        #expect(CurlTransfer.hasHTTPScheme("HtTpS://x"))
    }

    @Test("Anything else has not")
    func otherURLs() {
        #expect(!CurlTransfer.hasHTTPScheme("127.0.0.1:8080/a"))
        #expect(!CurlTransfer.hasHTTPScheme("ftp://example.com"))
        #expect(!CurlTransfer.hasHTTPScheme("httpx://example.com"))
        #expect(!CurlTransfer.hasHTTPScheme("http:/example.com"))
        #expect(!CurlTransfer.hasHTTPScheme("https:"))
        #expect(!CurlTransfer.hasHTTPScheme("/items/1"))
        #expect(!CurlTransfer.hasHTTPScheme(""))
    }
}
