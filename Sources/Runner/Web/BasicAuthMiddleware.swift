import Hummingbird
import HummingbirdAuth

/// HTTP basic authentication on every route (`--web-auth user:password`): anything else gets 401.
struct BasicAuthMiddleware<Context: RequestContext>: RouterMiddleware {
    let user: String
    let password: String

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let basic = request.headers.basic,
            Self.constantTimeEqual(basic.username, user) && Self.constantTimeEqual(basic.password, password)
        {
            return try await next(request, context)
        }
        var headers = HTTPFields()
        headers[.wwwAuthenticate] = "Basic realm=\"SwiftLocust\", charset=\"UTF-8\""
        headers[.contentType] = "text/plain; charset=utf-8"
        return Response(status: .unauthorized, headers: headers, body: .init(byteBuffer: ByteBuffer(string: "Authentication required\n")))
    }

    /// Compares without an early exit, so the time taken does not tell how much of a guess was right.
    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8)
        let y = Array(b.utf8)
        var difference = UInt8(truncatingIfNeeded: x.count ^ y.count)
        for index in 0..<max(x.count, y.count) {
            difference |= (index < x.count ? x[index] : 0) ^ (index < y.count ? y[index] : 0)
        }
        return difference == 0
    }
}
