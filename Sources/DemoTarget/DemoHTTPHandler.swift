import NIOCore
import NIOHTTP1

/// Serves the demo shop on one connection: gathers each request's head and body, asks the `DemoRouter`
/// for the response, counts it, and writes it, after a delay for `/slow`.
///
/// It sits behind NIO's `HTTPServerPipelineHandler`, which hands it one request at a time even when the
/// client pipelines, so at most one response is ever pending here.
final class DemoHTTPHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    /// Bodies larger than this are refused with 413 and the connection is closed.
    static let maximumBodySize = 1 << 20

    /// Where the current request is.
    private enum State {
        /// Between requests.
        case idle
        /// The head arrived; the body gathered so far, if any.
        case receiving(HTTPRequestHead, ByteBuffer?)
        /// The body grew past `maximumBodySize`; the rest of it is dropped.
        case discardingOversizedBody(HTTPRequestHead)
    }

    private let router: DemoRouter
    private var state = State.idle
    /// The delayed response of a `/slow` request, cancelled if the connection goes away first.
    private var scheduledResponse: Scheduled<Void>?

    /// Creates a handler that answers with `router`.
    init(router: DemoRouter) {
        self.router = router
    }

    /// Gathers the parts of a request and, at its end, answers it (413 and close if the body was too large).
    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            state = .receiving(head, nil)

        case .body(var chunk):
            guard case .receiving(let head, let gathered) = state else { return }
            // Leave `state` without a reference to the buffer so appending does not copy it.
            state = .idle
            guard var body = gathered else {
                state = chunk.readableBytes > Self.maximumBodySize
                    ? .discardingOversizedBody(head) : .receiving(head, chunk)
                return
            }
            if body.readableBytes + chunk.readableBytes > Self.maximumBodySize {
                state = .discardingOversizedBody(head)
            } else {
                body.writeBuffer(&chunk)
                state = .receiving(head, body)
            }

        case .end:
            let current = state
            state = .idle
            switch current {
            case .idle:
                return
            case .discardingOversizedBody(let head):
                let result = DemoRouter.Result(
                    endpoint: .unmatched,
                    response: .error(.payloadTooLarge, "body larger than \(Self.maximumBodySize) bytes")
                )
                respond(result, to: DemoRequest(head: head, body: nil), keepAlive: false, context: context)
            case .receiving(let head, let body):
                let request = DemoRequest(head: head, body: body)
                let result = router.route(request)
                if let delay = result.delay {
                    scheduledResponse = context.eventLoop.assumeIsolated().scheduleTask(in: delay) {
                        self.scheduledResponse = nil
                        self.respond(result, to: request, keepAlive: head.isKeepAlive, context: context)
                    }
                } else {
                    respond(result, to: request, keepAlive: head.isKeepAlive, context: context)
                }
            }
        }
    }

    /// Cancels a pending `/slow` response: there is no one left to send it to.
    func channelInactive(context: ChannelHandlerContext) {
        scheduledResponse?.cancel()
        scheduledResponse = nil
        context.fireChannelInactive()
    }

    /// Closes the connection on any error; malformed HTTP has already been answered with 400 by NIO.
    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    /// Counts the request (unless it is `/stats`) and writes the response, closing the connection
    /// afterwards unless it is kept alive.
    ///
    /// The count is taken before writing, so a client that has read a response always finds it in `/stats`.
    private func respond(
        _ result: DemoRouter.Result,
        to request: DemoRequest,
        keepAlive: Bool,
        context: ChannelHandlerContext
    ) {
        let response = result.response
        if result.endpoint != .stats {
            router.statistics.record(
                path: request.path,
                method: request.method,
                endpoint: result.endpoint,
                status: Int(response.status.code)
            )
        }

        var headers = response.headers
        let sendsBody = !response.statusForbidsBody && request.method != .HEAD
        if response.statusForbidsBody {
            headers.remove(name: "content-type")
        } else {
            headers.add(name: "content-length", value: String(response.body.readableBytes))
        }
        if !keepAlive {
            headers.add(name: "connection", value: "close")
        } else if request.head.version.major == 1 && request.head.version.minor == 0 {
            headers.add(name: "connection", value: "keep-alive")
        }

        let head = HTTPResponseHead(version: request.head.version, status: response.status, headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        if sendsBody {
            context.write(wrapOutboundOut(.body(.byteBuffer(response.body))), promise: nil)
        }
        if keepAlive {
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        } else {
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in
                channel.close(promise: nil)
            }
        }
    }
}
