import NIOCore
import NIOPosix

/// Asks a coordinator port which security mechanism it speaks, when it keeps closing a slave's
/// connections before the handshake: libzmq closes a peer whose mechanism differs from its own (a
/// master with `--cluster-token` speaks CURVE, a slave without one NULL) and a TLS master closes a
/// peer that does not speak TLS, and the slave's socket cannot tell the two apart (the reset that
/// ends the connection can discard the master's greeting before libzmq reads it).
///
/// The probe sends the first 11 bytes of a ZMTP 3 greeting (the signature and the major version),
/// to which a libzmq peer answers with the rest of its own greeting and then waits for ours: so the
/// mechanism arrives before anything is refused. It closes as soon as it has the answer.
enum ZMTPGreetingProbe {
    /// What the port answered.
    enum Answer: Equatable, Sendable {
        /// A ZMTP 3 peer that speaks this mechanism (`NULL`, `PLAIN`, `CURVE`).
        case mechanism(String)
        /// Something that accepted the connection and closed it, or answered, but not as ZMTP 3
        /// (a TLS listener does this).
        case notZMTP
        /// No connection could be made.
        case unreachable
    }

    /// The signature (0xFF, 8 padding bytes, 0x7F) and major version 3.
    static let greetingStart: [UInt8] = [0xFF, 0, 0, 0, 0, 0, 0, 0, 0, 0x7F, 3]

    /// A ZMTP 3 greeting's length.
    static let greetingLength = 64

    /// Connects to `host:port`, sends ``greetingStart`` and reads the peer's greeting, within
    /// `timeout` in all.
    static func probe(host: String, port: Int, timeout: TimeAmount = .seconds(2)) async -> Answer {
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let answer = loop.makePromise(of: Answer.self)
        let bootstrap = ClientBootstrap(group: loop)
            .connectTimeout(timeout)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(GreetingReader(answer: answer))
                }
            }
        let connected = bootstrap.connect(host: host, port: port)
        connected.whenFailure { _ in answer.succeed(.unreachable) }
        connected.whenSuccess { channel in
            channel.writeAndFlush(channel.allocator.buffer(bytes: greetingStart), promise: nil)
        }
        // The answer's deadline; a promise completed twice keeps its first value.
        let deadline = loop.scheduleTask(in: timeout) { answer.succeed(.notZMTP) }
        let result = (try? await answer.futureResult.get()) ?? .unreachable
        deadline.cancel()
        if let channel = try? await connected.get() { try? await channel.close() }
        return result
    }

    /// Why a master closed a slave's connections `closed` times in a row before the handshake, given
    /// its answer to the probe: the words after "the master at HOST:PORT".
    static func closedEarlyReason(closed: Int, slaveHasToken: Bool, answer: Answer) -> String {
        let closedText = "closed the connection before the coordinator's handshake \(closed) times in a row"
        switch answer {
        case .mechanism("CURVE") where !slaveHasToken:
            return "refused this slave's handshake (it speaks CURVE): it needs --cluster-token"
        case .mechanism(let mechanism) where slaveHasToken && mechanism != "CURVE":
            return "refused this slave's handshake (it speaks \(mechanism)): it has no --cluster-token, this slave has one"
        case .mechanism(let mechanism):
            return "\(closedText), though it speaks ZMTP with \(mechanism) as this slave does"
        case .notZMTP:
            return "\(closedText) and does not answer as a ZMTP peer: does it use TLS? (give this slave --cluster-tls-ca)"
        case .unreachable:
            return "\(closedText): does it use TLS? (give this slave --cluster-tls-ca)"
        }
    }

    /// The mechanism named in a full greeting (bytes 12-31, padded with NULs), or nil when `bytes`
    /// is no ZMTP 3 greeting.
    static func mechanism(inGreeting bytes: [UInt8]) -> String? {
        guard bytes.count >= greetingLength, bytes[0] == 0xFF, bytes[9] == 0x7F, bytes[10] >= 3 else { return nil }
        let name = bytes[12..<32].prefix { $0 != 0 }
        guard !name.isEmpty, name.allSatisfy({ (0x21...0x7E).contains($0) }) else { return nil }
        return String(decoding: name, as: UTF8.self)
    }

    /// Collects the peer's greeting; completes the answer once it is whole or the peer has gone.
    private final class GreetingReader: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer

        private let answer: EventLoopPromise<Answer>
        private var received: [UInt8] = []

        init(answer: EventLoopPromise<Answer>) {
            self.answer = answer
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var buffer = unwrapInboundIn(data)
            received += buffer.readBytes(length: buffer.readableBytes) ?? []
            guard received.count >= ZMTPGreetingProbe.greetingLength || received.first.map({ $0 != 0xFF }) == true else { return }
            answer.succeed(ZMTPGreetingProbe.mechanism(inGreeting: received).map(Answer.mechanism) ?? .notZMTP)
            context.close(promise: nil)
        }

        func channelInactive(context: ChannelHandlerContext) {
            answer.succeed(.notZMTP)
            context.fireChannelInactive()
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            answer.succeed(.notZMTP)
            context.close(promise: nil)
        }
    }
}
