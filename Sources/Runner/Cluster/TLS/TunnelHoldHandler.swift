import NIOCore
import NIOTLS

/// Holds what a tunnel's channel reads until the tunnel is joined (``release()``), then passes it
/// and everything after it on to the next handler (the ``TunnelGlueHandler``); tells its owner when
/// TLS is up, when the channel fails or closes first, and when it held more than `limit` bytes
/// (the channel is then closed: a peer that talks before the tunnel is set up is bounded).
final class TunnelHoldHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    /// What the owner is told, on the channel's event loop.
    enum Signal {
        /// The TLS handshake of this channel completed.
        case tlsReady
        /// The first bytes arrived (held).
        case data
        /// The channel failed (a TLS error, a reset) before it was released.
        case failed(any Error)
        /// The channel closed before it was released.
        case closed
        /// It held more than the limit.
        case overflow
    }

    private let limit: Int
    private var signal: ((Signal) -> Void)?
    private var context: ChannelHandlerContext?
    private var held: [ByteBuffer] = []
    private var heldBytes = 0
    private var released = false

    /// A handler holding at most `limit` bytes, telling `signal` what happens before its release.
    init(limit: Int, signal: @escaping (Signal) -> Void) {
        self.limit = limit
        self.signal = signal
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        signal = nil
    }

    /// Passes on what is held; from now on reads, errors and the end go to the next handler.
    func release() {
        guard !released, let context else { return }
        released = true
        signal = nil
        let buffers = held
        held = []
        for buffer in buffers { context.fireChannelRead(wrapInboundOut(buffer)) }
        if !buffers.isEmpty { context.fireChannelReadComplete() }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !released else { return context.fireChannelRead(data) }
        let buffer = unwrapInboundIn(data)
        heldBytes += buffer.readableBytes
        guard heldBytes <= limit else {
            held = []
            tell(.overflow)
            context.close(promise: nil)
            return
        }
        held.append(buffer)
        if held.count == 1 { signal?(.data) }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if released { context.fireChannelReadComplete() }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if !released, let event = event as? TLSUserEvent, case .handshakeCompleted = event { signal?(.tlsReady) }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard !released else { return context.fireErrorCaught(error) }
        tell(.failed(error))
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        if !released { tell(.closed) }
        context.fireChannelInactive()
    }

    /// Tells the owner an ending signal, once.
    private func tell(_ ending: Signal) {
        let signal = self.signal
        self.signal = nil
        signal?(ending)
    }
}
