import Glibc

/// The raw header lines of one response, collected from libcurl's header callback.
///
/// libcurl calls back once per header line; appending a line here is a capacity check and a `memcpy`
/// into a buffer that a pooled transfer keeps from request to request. A status line (`HTTP/`) starts the
/// headers of another response (a redirect, `100 Continue`) and empties the buffer. The buffer also notes
/// whether a `Set-Cookie` line arrived, so that responses without cookies skip the cookie jar.
///
/// Used only on the engine thread that owns its transfer.
final class HeaderBuffer {
    private var storage: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private(set) var count = 0
    /// True when the current response carries a `Set-Cookie` header line.
    private(set) var sawSetCookie = false

    init(capacity: Int = 1024) {
        self.capacity = capacity
        storage = .allocate(capacity: capacity)
    }

    deinit {
        storage.deallocate()
    }

    /// Forgets the lines of the previous response.
    func reset() {
        count = 0
        sawSetCookie = false
    }

    /// Appends one header line of `length` bytes.
    func append(_ line: UnsafeRawPointer, _ length: Int) {
        guard length > 0 else { return }
        let bytes = line.assumingMemoryBound(to: UInt8.self)
        if length >= 5 && bytes[0] == 72 && bytes[1] == 84 && bytes[2] == 84 && bytes[3] == 80 && bytes[4] == 47 {
            reset()  // "HTTP/": a new response
        } else if length >= 11 && (bytes[0] | 0x20) == 115 && Self.isSetCookie(bytes) {
            sawSetCookie = true
        }
        if count + length > capacity {
            var grown = capacity * 2
            while grown < count + length { grown *= 2 }
            let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: grown)
            bigger.update(from: storage, count: count)
            storage.deallocate()
            storage = bigger
            capacity = grown
        }
        (storage + count).update(from: bytes, count: length)
        count += length
    }

    /// The collected lines, as an array of their own.
    func bytes() -> [UInt8] {
        Array(UnsafeBufferPointer(start: storage, count: count))
    }

    /// True when `line` (at least 11 bytes) starts with `set-cookie:`, in any case.
    private static func isSetCookie(_ line: UnsafePointer<UInt8>) -> Bool {
        let name: StaticString = "set-cookie:"
        let expected = name.utf8Start
        for index in 0..<11 {
            let byte = line[index]
            // ASCII letters compare case-insensitively; '-' and ':' must match exactly.
            let folded = byte >= 65 && byte <= 90 ? byte | 0x20 : byte
            if folded != expected[index] { return false }
        }
        return true
    }
}
