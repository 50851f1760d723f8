import Synchronization

/// Process-unique request ids: `<random prefix>-<counter>`, both in lowercase hex.
///
/// The prefix tells apart the pods (and restarts) whose logs meet in one place; the counter orders one
/// process's requests. Every request without a usable `X-Request-ID` takes one, so an id is written into a
/// single buffer instead of concatenating formatted pieces; while it fits 15 bytes (with an 8-digit prefix, the first
/// 16^6 - 1 requests) it is a small string, no allocation.
struct RequestIDGenerator: ~Copyable, Sendable {
    /// The prefix and the `-`, ready to copy.
    private let head: [UInt8]
    /// The last number handed out; relaxed, as ids need only be distinct, not ordered across threads.
    private let counter = Atomic<UInt64>(0)

    init(prefix: UInt32 = .random(in: .min ... .max)) {
        head = Array(Self.hex(UInt64(prefix)).utf8) + [UInt8(ascii: "-")]
    }

    /// The next id.
    func next() -> String {
        Self.hex(counter.wrappingAdd(1, ordering: .relaxed).newValue, after: head)
    }

    /// Lowercase hex digits by value.
    private static let digits = Array("0123456789abcdef".utf8)

    /// `head` followed by `number` in hex.
    static func hex(_ number: UInt64, after head: [UInt8] = []) -> String {
        let digitCount = max(1, (UInt64.bitWidth - number.leadingZeroBitCount + 3) / 4)
        return String(unsafeUninitializedCapacity: head.count + digitCount) { buffer in
            _ = buffer.initialize(from: head)
            var remaining = number
            for position in (head.count..<head.count + digitCount).reversed() {
                buffer[position] = digits[Int(remaining & 0xF)]
                remaining >>= 4
            }
            return head.count + digitCount
        }
    }
}
