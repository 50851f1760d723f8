/// The W3C Trace Context of one request: the trace it belongs to and the span this server handles it in.
///
/// A request that carries a valid `traceparent` continues its caller's trace (same trace id and flags, the caller's
/// span as parent); any other request starts a trace of its own. The ids go into the access log and every line of
/// ``Observability/Logger`` bound to the request, so one id finds a request's lines across services; outbound calls
/// made for the request send ``traceparent`` to continue the trace downstream.
public struct TraceContext: Sendable, Equatable {
    /// A 16-byte trace id, as two big-endian halves; never all zeros.
    public struct TraceID: Sendable, Hashable {
        /// The first 8 bytes.
        public let high: UInt64
        /// The last 8 bytes.
        public let low: UInt64

        /// Creates a trace id from its halves.
        public init(high: UInt64, low: UInt64) {
            self.high = high
            self.low = low
        }

        /// 32 lowercase hex digits.
        public var hex: String { TraceContext.hex(high) + TraceContext.hex(low) }
    }

    /// The trace this request belongs to.
    public let traceID: TraceID
    /// This server's span for the request (8 bytes, never zero).
    public let spanID: UInt64
    /// The caller's span, from its `traceparent`; nil when this request started the trace.
    public let parentSpanID: UInt64?
    /// The trace flags as received (bit 0: the caller samples this trace); 0 for a trace started here, which
    /// records no spans.
    public let flags: UInt8

    /// Creates a context; the server makes one per request, tests may too.
    public init(traceID: TraceID, spanID: UInt64, parentSpanID: UInt64? = nil, flags: UInt8 = 0) {
        self.traceID = traceID
        self.spanID = spanID
        self.parentSpanID = parentSpanID
        self.flags = flags
    }

    /// ``spanID`` as 16 lowercase hex digits.
    public var spanIDHex: String { Self.hex(spanID) }

    /// The `traceparent` value for an outbound call made for this request: this trace, this span as the parent.
    public var traceparent: String {
        "00-\(traceID.hex)-\(spanIDHex)-\(Self.hex(flags))"
    }

    /// The parts of a valid `traceparent` header value; nil for an invalid one, which the receiver must ignore.
    ///
    /// Strict as the W3C recommendation (Trace Context, §3.2): lowercase hex only, neither id all zeros, version
    /// `ff` refused. Version `00` is exactly 55 characters; a later version may append fields after a `-`, and its
    /// first four are read as version `00`'s.
    public static func parse(traceparent value: String) -> (traceID: TraceID, parentSpanID: UInt64, flags: UInt8)? {
        var value = value
        return value.withUTF8(parse)
    }

    private static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> (traceID: TraceID, parentSpanID: UInt64, flags: UInt8)? {
        let dash = UInt8(ascii: "-")
        guard bytes.count >= 55, bytes[2] == dash, bytes[35] == dash, bytes[52] == dash,
            let version = hexValue(bytes, 0, 2), version != 0xff,
            version == 0 ? bytes.count == 55 : (bytes.count == 55 || bytes[55] == dash),
            let high = hexValue(bytes, 3, 16), let low = hexValue(bytes, 19, 16),
            let parent = hexValue(bytes, 36, 16), let flags = hexValue(bytes, 53, 2),
            high != 0 || low != 0, parent != 0
        else { return nil }
        return (TraceID(high: high, low: low), parent, UInt8(flags))
    }

    /// The value of `count` lowercase hex digits at `offset`, or nil if any is not one.
    private static func hexValue(_ bytes: UnsafeBufferPointer<UInt8>, _ offset: Int, _ count: Int) -> UInt64? {
        var value: UInt64 = 0
        for byte in bytes[offset..<offset + count] {
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            default: return nil
            }
            value = value << 4 | UInt64(digit)
        }
        return value
    }

    /// `value` as 16 lowercase hex digits.
    static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    /// `value` as 2 lowercase hex digits.
    static func hex(_ value: UInt8) -> String {
        (value < 0x10 ? "0" : "") + String(value, radix: 16)
    }
}
