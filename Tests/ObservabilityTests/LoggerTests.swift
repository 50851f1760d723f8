import TestSupport
import Testing

@testable import Observability

@Suite struct LoggerTests {
    /// Logs through a fresh sink, flushes, and returns the lines parsed as JSON.
    private func written(
        level: LogLevel = .trace,
        label: String = "test",
        _ body: (Logger) -> Void
    ) throws -> (lines: [StrictJSON], raw: [String]) {
        let capture = CapturedLines()
        let sink = capture.makeSink()
        body(Logger(label: label, level: level, sink: sink))
        #expect(sink.flush(timeout: .seconds(10)))
        let raw = capture.lines.map { String(decoding: $0, as: UTF8.self) }
        return (try capture.lines.map { try StrictJSON.parse($0) }, raw)
    }

    @Test func lineHasTheDocumentedShapeAndFieldOrder() throws {
        let before = timestampNow()
        let (lines, raw) = try written { logger in
            logger.with(["request.id": "r-1"]).with(["attempt": 2]).info("served", ["status": 200, "route": "/a"])
        }
        let after = timestampNow()
        try #require(lines.count == 1)
        let line = lines[0]
        #expect(line.keys == ["ts", "level", "logger", "msg", "request.id", "attempt", "status", "route"])
        #expect(line["level"] == .string("info"))
        #expect(line["logger"] == .string("test"))
        #expect(line["msg"] == .string("served"))
        #expect(line["request.id"] == .string("r-1"))
        #expect(line["attempt"] == .number("2"))
        #expect(line["status"] == .number("200"))
        guard case .string(let ts) = line["ts"] else {
            Issue.record("ts is not a string")
            return
        }
        // Fixed-width RFC 3339, so string order is time order.
        #expect(ts.utf8.count == 24 && ts.hasSuffix("Z"))
        #expect(before <= ts && ts <= after)
        #expect(raw[0].hasPrefix(#"{"ts":""#))
        #expect(
            raw[0].hasSuffix(
                #","level":"info","logger":"test","msg":"served","request.id":"r-1","attempt":2,"status":200,"route":"/a"}"#
            ))
    }

    @Test func fieldWriterLinesMatchKeyValueLines() throws {
        let (lines, raw) = try written(level: .info) { logger in
            logger.with(["request.id": "r-1"]).info("request", ["route": "/a\"b", "status": 200, "ms": 1.5, "nan": .double(.nan)])
            logger.with(["request.id": "r-1"]).log(.info, "request") { line in
                line.appendField("route", "/a\"b")
                line.appendField("status", 200)
                line.appendField("ms", 1.5)
                line.appendField("nan", Double.nan)
            }
            logger.log(.debug, "filtered") { _ in Issue.record("a filtered line must not build its fields") }
        }
        try #require(lines.count == 2)
        #expect(lines[1].keys == ["ts", "level", "logger", "msg", "request.id", "route", "status", "ms", "nan"])
        #expect(raw[0].dropFirst(30) == raw[1].dropFirst(30), "the same line after the timestamp:\n\(raw[0])\n\(raw[1])")
    }

    @Test func hexFieldsAreFixedWidthLowercase() {
        var bytes: [UInt8] = []
        JSONText.writeHexField("span_id", 0x00f0_67aa_0ba9_02b7, nil, to: &bytes)
        JSONText.writeHexField("trace_id", 0x4bf9_2f35_77b3_4da6, 0xa3ce_929d_0e0e_4736, to: &bytes)
        JSONText.writeHexField("zero", 0, 1, to: &bytes)
        #expect(
            String(decoding: bytes, as: UTF8.self)
                == #","span_id":"00f067aa0ba902b7","trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","zero":"00000000000000000000000000000001""#)
        for value in [0x0123_4567_89ab_cdef, 0xfedc_ba98_7654_3210, UInt64.max] + (0..<1_000).map({ _ in UInt64.random(in: .min ... .max) }) {
            var field: [UInt8] = []
            JSONText.writeHexField("k", value, nil, to: &field)
            let digits = String(value, radix: 16)
            #expect(String(decoding: field, as: UTF8.self) == #","k":""# + String(repeating: "0", count: 16 - digits.count) + digits + #"""#)
        }
    }

    @Test(arguments: [
        (Duration.zero, "0.000"), (.microseconds(1), "0.001"), (.nanoseconds(12_345_678), "12.345"), (.milliseconds(1500), "1500.000"),
        (.seconds(86_400), "86400000.000"), (.microseconds(-1_500), "-1.500"),
        (.seconds(Int64.max), "9223372036854775.807"), (.seconds(Int64.min), "-9223372036854775.808"),
    ])
    func durationsAreMillisecondsToTheMicrosecond(duration: Duration, text: String) throws {
        var bytes: [UInt8] = []
        JSONText.writeField("duration_ms", milliseconds: duration, to: &bytes)
        #expect(String(decoding: bytes, as: UTF8.self) == #","duration_ms":"# + text)
        let object = try StrictJSON.parse(Array("{".utf8) + bytes.dropFirst() + Array("}".utf8))
        #expect(object["duration_ms"] == .number(text))
        var value: [UInt8] = []
        JSONText.appendValue(.milliseconds(duration), to: &value)
        #expect(String(decoding: value, as: UTF8.self) == text, "a .milliseconds field value reads like the access log's")
    }

    /// Lines are formatted in a 1 KiB stack buffer; longer ones move to the heap, growing as often as needed.
    @Test(arguments: [1_000, 1_100, 5_000, 70_000])
    func linesLongerThanTheStackBufferAreWrittenWhole(length: Int) throws {
        let message = String(repeating: "a\"\u{1}", count: length / 3)
        let field = String(repeating: "é", count: length / 2)
        let (lines, raw) = try written { logger in
            logger.info(message, ["k": .string(field)])
            logger.log(.info, "fields") { line in
                line.appendField("k", field)
                line.appendField("n", length)
            }
        }
        try #require(lines.count == 2)
        #expect(lines[0]["msg"] == .string(message))
        #expect(lines[0]["k"] == .string(field))
        #expect(lines[1]["k"] == .string(field))
        #expect(lines[1]["n"] == .number(String(length)))
        #expect(raw.allSatisfy { $0.utf8.count + 1 > 1024 }, "every line is longer than the stack buffer")
    }

    /// Lines of exactly the stack buffer's size, one byte less and one byte more (newline included) arrive whole.
    @Test(arguments: [1023, 1024, 1025])
    func linesAtTheStackBufferBoundaryAreWrittenWhole(lineLength: Int) throws {
        let (_, empty) = try written { $0.info("") }
        let overhead = try #require(empty.first).utf8.count + 1
        let message = String(repeating: "m", count: lineLength - overhead)
        let (lines, raw) = try written { $0.info(message) }
        try #require(lines.count == 1)
        #expect(raw[0].utf8.count + 1 == lineLength)
        #expect(lines[0]["msg"] == .string(message))
    }

    @Test func labeledLoggerKeepsSinkLevelAndContext() throws {
        let (lines, _) = try written(level: .info) { logger in
            let child = logger.with(["request.id": "r-1"]).labeled("access")
            child.info("served")
            child.debug("filtered")
        }
        try #require(lines.count == 1)
        #expect(lines[0]["logger"] == .string("access"))
        #expect(lines[0]["request.id"] == .string("r-1"))
    }

    @Test func staticMessagesAreEscaped() throws {
        let (lines, _) = try written { logger in
            logger.log(.info, "say \"hi\"\n") { _ in }
        }
        try #require(lines.count == 1)
        #expect(lines[0]["msg"] == .string("say \"hi\"\n"))
    }

    @Test func everyLevelWritesItsName() throws {
        let (lines, _) = try written { logger in
            logger.trace("m")
            logger.debug("m")
            logger.info("m")
            logger.notice("m")
            logger.warning("m")
            logger.error("m")
            logger.critical("m")
        }
        #expect(lines.map { $0["level"] } == LogLevel.allCases.map { .string($0.name) })
    }

    @Test func stringsAreEscapedAndRoundTrip() throws {
        let controls = String(decoding: (0x00..<0x20).map { UInt8($0) }, as: UTF8.self)
        let nasty = "quote\" backslash\\ slash/ del\u{7F} é 日本 🎉 \u{2028} controls:" + controls
        let (lines, raw) = try written(label: "la\"bel\n") { logger in
            logger.info(nasty, [nasty: .string(nasty)])
        }
        try #require(lines.count == 1)
        #expect(lines[0]["msg"] == .string(nasty))
        #expect(lines[0]["logger"] == .string("la\"bel\n"))
        #expect(lines[0][nasty] == .string(nasty))
        #expect(raw[0].contains(#"quote\" backslash\\ slash/ del\#u{7F} é 日本 🎉 \#u{2028} controls:\u0000\u0001"#))
        #expect(raw[0].contains(#"\b\t\n\u000b\f\r\u000e"#))
        #expect(raw[0].contains(#""logger":"la\"bel\n""#))
    }

    @Test func valuesKeepTheirJSONTypes() throws {
        let (lines, _) = try written { logger in
            logger.info(
                "v",
                [
                    "int": .int(Int.min), "tenth": 0.1, "tiny": 1e-5, "huge": 1e300, "negativeZero": -0.0,
                    "nan": .double(.nan), "inf": .double(.infinity), "negInf": .double(-.infinity),
                    "yes": true, "no": false, "interpolated": "n=\(41 + 1)",
                ]
            )
        }
        let line = try #require(lines.first)
        #expect(line["int"] == .number("-9223372036854775808"))
        #expect(line["tenth"] == .number("0.1"))
        #expect(line["tiny"].map(numberValue) == 1e-5)
        #expect(line["huge"].map(numberValue) == 1e300)
        #expect(line["negativeZero"].map(numberValue) == 0)
        #expect(line["nan"] == .string("NaN"))
        #expect(line["inf"] == .string("Infinity"))
        #expect(line["negInf"] == .string("-Infinity"))
        #expect(line["yes"] == .bool(true))
        #expect(line["no"] == .bool(false))
        #expect(line["interpolated"] == .string("n=42"))
    }

    @Test func repeatedKeysStayValidJSON() throws {
        let (lines, _) = try written { logger in
            logger.with(["msg": "shadow", "k": 1]).info("real", ["k": 2, "level": "x"])
        }
        #expect(lines.first?.keys == ["ts", "level", "logger", "msg", "msg", "k", "k", "level"])
    }

    @Test func filteredLinesDoNotEvaluateTheMessage() throws {
        var evaluations = 0
        func message() -> String {
            evaluations += 1
            return "expensive"
        }
        func fields() -> KeyValuePairs<String, LogValue> {
            evaluations += 1
            return ["k": 1]
        }
        let (lines, _) = try written(level: .warning) { logger in
            #expect(!logger.isEnabled(.notice))
            #expect(logger.isEnabled(.warning))
            logger.trace(message())
            logger.debug(message(), fields())
            logger.info(message(), ["k": .string(message())])
            logger.notice(message())
            logger.log(.info, message(), fields())
            #expect(evaluations == 0)
            logger.warning(message())
            logger.critical(message(), fields())
        }
        #expect(evaluations == 3)
        #expect(lines.map { $0["level"] } == [.string("warning"), .string("critical")])
    }

    @Test func levelIsAdjustablePerCopy() throws {
        let (lines, _) = try written(level: .info) { logger in
            var verbose = logger
            verbose.level = .debug
            logger.debug("dropped")
            verbose.debug("kept")
        }
        #expect(lines.map { $0["msg"] } == [.string("kept")])
    }

    @Test func levelsAreOrderedBySeverity() {
        #expect(LogLevel.allCases == LogLevel.allCases.sorted())
        #expect(LogLevel.trace < .critical)
    }

    @Test(arguments: [
        (0, 0, "1970-01-01T00:00:00.000Z"),
        (-1, 999, "1969-12-31T23:59:59.999Z"),
        (951_782_400, 5, "2000-02-29T00:00:00.005Z"),
        (1_795_240_800, 123, "2026-11-21T06:00:00.123Z"),
        (4_102_444_800, 0, "2100-01-01T00:00:00.000Z"),
        (-2_203_891_200, 0, "1900-03-01T00:00:00.000Z"),
        (253_402_300_799, 999, "9999-12-31T23:59:59.999Z"),
    ])
    func timestampsFormatAsRFC3339(seconds: Int, milliseconds: Int, expected: String) {
        var output: [UInt8] = []
        UTCTimestamp.append(seconds: seconds, milliseconds: milliseconds, to: &output)
        #expect(String(decoding: output, as: UTF8.self) == expected)
        #expect(output.count == UTCTimestamp.byteCount)
    }

    private func timestampNow() -> String {
        var output: [UInt8] = []
        UTCTimestamp.appendNow(to: &output)
        return String(decoding: output, as: UTF8.self)
    }

    private func numberValue(_ json: StrictJSON) -> Double? {
        if case .number(let text) = json { Double(text) } else { nil }
    }
}
