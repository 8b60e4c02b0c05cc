import Synchronization

/// Where one user's keep-alive connections live: a connection group of its engine thread, and a key
/// that keeps them apart from the other users' in that group.
///
/// The key is passed as `CURLOPT_ADDRESS_SCOPE`. libcurl puts the scope id in its connection-cache key,
/// so a transfer only ever reuses a connection opened by the same user, as a Locust user owns its
/// session. The kernel reads a scope id only for link-local IPv6 addresses, which need a zone
/// (`[fe80::1%eth0]`) that then takes precedence; for every other address it changes nothing.
struct ConnectionSlot: Sendable {
    /// The index of the group in the engine thread.
    var group: Int
    /// The user's connection key, never 0.
    var scope: UInt32

    /// Hands out slots for one engine thread: groups fill up to ``ConnectionGroup/usersPerGroup``
    /// users, a stopped user's place is reused, and every user gets a fresh key.
    struct Allocator: Sendable {
        private var freePlaces: [Int] = []
        private var nextPlace = 0
        private var lastScope: UInt32 = 0

        mutating func allocate() -> (slot: ConnectionSlot, place: Int) {
            let place: Int
            if let free = freePlaces.popLast() {
                place = free
            } else {
                place = nextPlace
                nextPlace += 1
            }
            lastScope = lastScope == .max ? 1 : lastScope + 1
            return (ConnectionSlot(group: place / ConnectionGroup.usersPerGroup, scope: lastScope), place)
        }

        mutating func release(place: Int) {
            freePlaces.append(place)
        }
    }
}
