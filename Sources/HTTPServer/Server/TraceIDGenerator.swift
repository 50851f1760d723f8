import Synchronization

/// Trace and span ids for the requests this server handles: unique within the process (a counter through a
/// bijective mix), unpredictable from one process to the next (random keys), and no system call per request.
struct TraceIDGenerator: ~Copyable, Sendable {
    private let traceKeys: (high: UInt64, low: UInt64)
    private let spanKey: UInt64
    /// The last number used; relaxed, as ids need only be distinct.
    private let counter = Atomic<UInt64>(0)

    init() {
        traceKeys = (.random(in: .min ... .max), .random(in: .min ... .max))
        spanKey = .random(in: .min ... .max)
    }

    /// The context of a request whose only `traceparent` field is `traceparent`: its trace continued when the value
    /// is valid, otherwise a trace started here. Either way the request gets a span of its own.
    func context(traceparent: String?) -> TraceContext {
        let number = counter.wrappingAdd(1, ordering: .relaxed).newValue
        let span = Self.nonZero(Self.mix(number &+ spanKey))
        if let traceparent, let caller = TraceContext.parse(traceparent: traceparent) {
            return TraceContext(traceID: caller.traceID, spanID: span, parentSpanID: caller.parentSpanID, flags: caller.flags)
        }
        let trace = TraceContext.TraceID(high: Self.mix(number &+ traceKeys.high), low: Self.nonZero(Self.mix(number &+ traceKeys.low)))
        return TraceContext(traceID: trace, spanID: span)
    }

    /// SplitMix64's finalizer: a bijection on 64-bit values that scatters consecutive inputs over the whole range.
    static func mix(_ value: UInt64) -> UInt64 {
        var mixed = value
        mixed = (mixed ^ (mixed >> 30)) &* 0xbf58_476d_1ce4_e5b9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94d0_49bb_1331_11eb
        return mixed ^ (mixed >> 31)
    }

    /// Zero is not a valid id; the one input the mix sends there becomes 1.
    private static func nonZero(_ value: UInt64) -> UInt64 {
        value == 0 ? 1 : value
    }
}
