import Testing

@testable import HTTPServer

/// `traceparent` as the W3C Trace Context recommendation defines it, and the ids this server makes.
@Suite struct TraceContextTests {
    static let valid = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"

    @Test func aValidValueIsReadExactly() throws {
        let parsed = try #require(TraceContext.parse(traceparent: Self.valid))
        #expect(parsed.traceID == .init(high: 0x4bf9_2f35_77b3_4da6, low: 0xa3ce_929d_0e0e_4736))
        #expect(parsed.parentSpanID == 0x00f0_67aa_0ba9_02b7)
        #expect(parsed.flags == 1)
    }

    @Test(
        "invalid values are ignored",
        arguments: [
            ("uppercase hex", "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01"),
            ("trace id all zeros", "00-00000000000000000000000000000000-00f067aa0ba902b7-01"),
            ("parent id all zeros", "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01"),
            ("version ff", "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"),
            ("version 00 with more after it", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra"),
            ("a later version without a dash after the flags", "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01x"),
            ("short trace id", "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01"),
            ("short", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1"),
            ("underscore for a dash", "00_4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"),
            ("not hex", "00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01"),
            ("two values folded into one field", "\(valid),\(valid)"),
            ("empty", ""),
        ])
    func invalidValuesAreIgnored(_ reason: String, _ value: String) {
        #expect(TraceContext.parse(traceparent: value) == nil, "\(reason)")
    }

    @Test func aLaterVersionIsReadAsVersion00() throws {
        let parsed = try #require(TraceContext.parse(traceparent: "cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-what-comes-next"))
        #expect(parsed.parentSpanID == 0x00f0_67aa_0ba9_02b7)
        #expect(TraceContext.parse(traceparent: "cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01") != nil)
    }

    @Test func aRequestContinuesItsCallersTraceInASpanOfItsOwn() {
        let generator = TraceIDGenerator()
        let context = generator.context(traceparent: Self.valid)
        #expect(context.traceID.hex == "4bf92f3577b34da6a3ce929d0e0e4736")
        #expect(context.parentSpanID == 0x00f0_67aa_0ba9_02b7)
        #expect(context.flags == 1)
        #expect(context.spanID != 0 && context.spanID != context.parentSpanID)
        #expect(context.traceparent == "00-4bf92f3577b34da6a3ce929d0e0e4736-\(context.spanIDHex)-01")
    }

    @Test func otherwiseEachRequestStartsATraceWithFreshIds() throws {
        let generator = TraceIDGenerator()
        let contexts = (0..<1_000).map { _ in generator.context(traceparent: nil) } + [generator.context(traceparent: "garbage")]
        #expect(Set(contexts.map(\.traceID)).count == contexts.count)
        #expect(Set(contexts.map(\.spanID)).count == contexts.count)
        for context in contexts {
            #expect(context.parentSpanID == nil && context.flags == 0)
            // What it sends downstream is valid: lowercase, 55 characters, ids not zero.
            let sent = try #require(TraceContext.parse(traceparent: context.traceparent), "\(context.traceparent)")
            #expect(sent.traceID == context.traceID && sent.parentSpanID == context.spanID)
        }
    }

    @Test func twoGeneratorsDoNotRepeatEachOther() {
        let first = TraceIDGenerator().context(traceparent: nil)
        let second = TraceIDGenerator().context(traceparent: nil)
        #expect(first.traceID != second.traceID)
    }

    @Test func theMixIsABijectionOnItsInputs() {
        // SplitMix64's finalizer is invertible; distinct counters must never give one id twice.
        let mixed = (0..<10_000).map { TraceIDGenerator.mix(UInt64($0)) }
        #expect(Set(mixed).count == mixed.count)
        #expect(TraceIDGenerator.mix(1) != 1)
    }

    @Test func onlyASingleTraceparentFieldCounts() {
        var headers = HTTPHeaders()
        headers.add(name: "traceparent", value: Self.valid)
        #expect(headers.onlyValue(for: "TraceParent") == Self.valid)
        headers.add(name: "Traceparent", value: Self.valid)
        #expect(headers.onlyValue(for: "traceparent") == nil)
        #expect(HTTPHeaders().onlyValue(for: "traceparent") == nil)
    }
}
