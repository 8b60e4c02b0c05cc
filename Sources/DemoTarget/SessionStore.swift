import Synchronization

/// The logged-in sessions and their carts, shared by all event loop threads behind one lock.
final class SessionStore: Sendable {
    /// What the shop remembers about one session.
    struct Session: Equatable, Sendable {
        /// The name given at login.
        var username: String
        /// The total quantity of items put in the cart.
        var cartQuantity = 0
    }

    /// At most this many sessions are kept; logging in beyond it forgets an arbitrary old one, so that a
    /// long run that never logs out cannot grow memory without bound.
    static let maximumSessions = 100_000

    private let sessions = Mutex<[String: Session]>([:])

    /// Creates an empty store.
    init() {}

    /// Starts a session for `username` and returns its new random token.
    func create(username: String) -> String {
        var generator = SystemRandomNumberGenerator()
        return sessions.withLock { sessions in
            var token = Self.makeToken(using: &generator)
            while sessions[token] != nil { token = Self.makeToken(using: &generator) }
            if sessions.count >= Self.maximumSessions, let victim = sessions.keys.first {
                sessions[victim] = nil
            }
            sessions[token] = Session(username: username)
            return token
        }
    }

    /// The session for `token`, or `nil` when there is none.
    func session(for token: String) -> Session? {
        sessions.withLock { $0[token] }
    }

    /// Adds `quantity` items to the cart of `token`'s session and returns the new total, or `nil` when
    /// there is no such session.
    func addToCart(token: String, quantity: Int) -> Int? {
        sessions.withLock { sessions -> Int? in
            guard var session = sessions[token] else { return nil }
            let (sum, overflow) = session.cartQuantity.addingReportingOverflow(quantity)
            session.cartQuantity = overflow ? Int.max : sum
            sessions[token] = session
            return session.cartQuantity
        }
    }

    /// Ends `token`'s session; returns whether there was one.
    @discardableResult
    func remove(token: String) -> Bool {
        sessions.withLock { $0.removeValue(forKey: token) != nil }
    }

    /// How many sessions are open.
    var count: Int {
        sessions.withLock { $0.count }
    }

    /// 128 random bits as 32 lowercase hex digits.
    private static func makeToken(using generator: inout SystemRandomNumberGenerator) -> String {
        let high = generator.next() as UInt64
        let low = generator.next() as UInt64
        return hex(high) + hex(low)
    }

    /// `value` as exactly 16 lowercase hex digits.
    private static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
