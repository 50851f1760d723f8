/// Appends JSON tokens as bytes: for log lines, and for response bodies written by hand on hot paths.
///
/// The public functions append to `[UInt8]`; ``LogLine`` offers the same fields for a line being logged.
public enum JSONText {
    /// Appends `string` as a quoted JSON string.
    ///
    /// Quotes, backslashes and control characters are escaped; everything else, including non-ASCII
    /// UTF-8 (always valid in a Swift `String`), is copied through in runs.
    public static func appendString(_ string: String, to output: inout [UInt8]) {
        appendQuoted(string, to: &output)
    }

    /// Appends `,"key":"value"`; `key` is written as is (plain ASCII, no quotes or backslashes), `value` escaped.
    public static func appendField(_ key: StaticString, _ value: String, to output: inout [UInt8]) {
        writeField(key, value, to: &output)
    }

    /// Appends `,"key":value` for an integer.
    public static func appendField(_ key: StaticString, _ value: Int, to output: inout [UInt8]) {
        writeField(key, value, to: &output)
    }

    static func appendQuoted<Output: ByteOutput & ~Copyable>(_ string: String, to output: inout Output) {
        ASCII.withUTF8(string) { appendQuoted($0, to: &output) }
    }

    static func appendQuoted<Output: ByteOutput & ~Copyable>(_ string: StaticString, to output: inout Output) {
        string.withUTF8Buffer { appendQuoted($0, to: &output) }
    }

    private static func appendQuoted<Output: ByteOutput & ~Copyable>(_ bytes: UnsafeBufferPointer<UInt8>, to output: inout Output) {
        output.appendByte(UInt8(ascii: "\""))
        var runStart = 0
        for index in bytes.indices {
            let byte = bytes[index]
            guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else {
                continue
            }
            output.appendBytes(UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
            appendEscape(byte, to: &output)
            runStart = index + 1
        }
        output.appendBytes(UnsafeBufferPointer(rebasing: bytes[runStart...]))
        output.appendByte(UInt8(ascii: "\""))
    }

    /// Appends `value` as a JSON value: numbers for integers and finite doubles, strings otherwise.
    static func appendValue<Output: ByteOutput & ~Copyable>(_ value: LogValue, to output: inout Output) {
        switch value {
        case .string(let string):
            appendQuoted(string, to: &output)
        case .int(let int):
            ASCII.appendInteger(int, to: &output)
        case .double(let double):
            if double.isFinite {
                // Swift's shortest round-trip form ("0.1", "1e-05", "1e+16") is always a valid JSON number.
                output.appendUTF8(double.description)
            } else {
                output.appendBytes(double.isNaN ? "\"NaN\"" : double < 0 ? "\"-Infinity\"" : "\"Infinity\"")
            }
        case .bool(let bool):
            output.appendBytes(bool ? "true" : "false")
        case .milliseconds(let duration):
            appendMilliseconds(duration, to: &output)
        }
    }

    static func writeField<Output: ByteOutput & ~Copyable>(_ key: StaticString, _ value: String, to output: inout Output) {
        appendKey(key, to: &output)
        appendQuoted(value, to: &output)
    }

    static func writeField<Output: ByteOutput & ~Copyable>(_ key: StaticString, _ value: Int, to output: inout Output) {
        appendKey(key, to: &output)
        ASCII.appendInteger(value, to: &output)
    }

    static func writeField<Output: ByteOutput & ~Copyable>(_ key: StaticString, _ value: Double, to output: inout Output) {
        appendKey(key, to: &output)
        appendValue(.double(value), to: &output)
    }

    static func writeField<Output: ByteOutput & ~Copyable>(
        _ key: StaticString, milliseconds duration: Duration, to output: inout Output
    ) {
        appendKey(key, to: &output)
        appendMilliseconds(duration, to: &output)
    }

    static func writeHexField<Output: ByteOutput & ~Copyable>(_ key: StaticString, _ high: UInt64, _ low: UInt64?, to output: inout Output) {
        appendKey(key, to: &output)
        // Formatted on the stack and copied once: a per-request field (trace and span ids on every access line).
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 34) { buffer in
            buffer[0] = UInt8(ascii: "\"")
            writeHex(high, into: buffer, at: 1)
            var end = 17
            if let low {
                writeHex(low, into: buffer, at: 17)
                end = 33
            }
            buffer[end] = UInt8(ascii: "\"")
            output.appendBytes(UnsafeBufferPointer(rebasing: buffer[...end]))
        }
    }

    /// `word` as 16 lowercase hex digits at `offset`.
    private static func writeHex(_ word: UInt64, into buffer: UnsafeMutableBufferPointer<UInt8>, at offset: Int) {
        let base = UnsafeMutableRawPointer(buffer.baseAddress! + offset)
        base.storeBytes(of: hexDigits(of: UInt32(truncatingIfNeeded: word >> 32)), as: UInt64.self)
        (base + 8).storeBytes(of: hexDigits(of: UInt32(truncatingIfNeeded: word)), as: UInt64.self)
    }

    /// The 8 hex digits of `value` as ASCII, most significant first in memory: the nibbles are spread one to a byte
    /// and turned into digits eight at a time, with no loop or table.
    private static func hexDigits(of value: UInt32) -> UInt64 {
        var nibbles = UInt64(value)
        nibbles = (nibbles | nibbles << 16) & 0x0000_FFFF_0000_FFFF
        nibbles = (nibbles | nibbles << 8) & 0x00FF_00FF_00FF_00FF
        nibbles = (nibbles | nibbles << 4) & 0x0F0F_0F0F_0F0F_0F0F
        // Byte i holds nibble i, least significant first; 0x01 in each byte whose nibble is 10 or more.
        let letters = ((nibbles &+ 0x0606_0606_0606_0606) >> 4) & 0x0101_0101_0101_0101
        // '0' + nibble, and 'a' - '0' - 10 = 39 more for a letter.
        let digits = nibbles &+ 0x3030_3030_3030_3030 &+ letters &* 39
        return digits.byteSwapped.littleEndian
    }

    /// Milliseconds to the microsecond (`12.345`), in fixed-point integers: a per-request field, where
    /// `Double.description` would cost an allocation.
    private static func appendMilliseconds<Output: ByteOutput & ~Copyable>(_ duration: Duration, to output: inout Output) {
        let (seconds, attoseconds) = duration.components
        // Saturates rather than traps: a `.milliseconds` field may carry a "forever" such as `.seconds(Int64.max)`.
        let (whole, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000)
        let (sum, carry) = whole.addingReportingOverflow(attoseconds / 1_000_000_000_000)
        let microseconds = overflow || carry ? (seconds < 0 ? Int64.min : Int64.max) : sum
        if microseconds < 0 { output.appendByte(UInt8(ascii: "-")) }
        let magnitude = microseconds.magnitude
        ASCII.appendInteger(Int(magnitude / 1000), to: &output)
        let fraction = Int(magnitude % 1000)
        output.appendByte(UInt8(ascii: "."))
        output.appendByte(UInt8(ascii: "0") &+ UInt8(fraction / 100))
        output.appendByte(UInt8(ascii: "0") &+ UInt8(fraction / 10 % 10))
        output.appendByte(UInt8(ascii: "0") &+ UInt8(fraction % 10))
    }

    private static func appendKey<Output: ByteOutput & ~Copyable>(_ key: StaticString, to output: inout Output) {
        output.appendBytes(",\"")
        output.appendBytes(key)
        output.appendBytes("\":")
    }

    /// Appends `,"key":value` for each field, in order.
    static func appendFields<Output: ByteOutput & ~Copyable>(_ fields: KeyValuePairs<String, LogValue>, to output: inout Output) {
        for (key, value) in fields {
            output.appendByte(UInt8(ascii: ","))
            appendQuoted(key, to: &output)
            output.appendByte(UInt8(ascii: ":"))
            appendValue(value, to: &output)
        }
    }

    private static func appendEscape<Output: ByteOutput & ~Copyable>(_ byte: UInt8, to output: inout Output) {
        output.appendByte(UInt8(ascii: "\\"))
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"): output.appendByte(byte)
        case UInt8(ascii: "\n"): output.appendByte(UInt8(ascii: "n"))
        case UInt8(ascii: "\r"): output.appendByte(UInt8(ascii: "r"))
        case UInt8(ascii: "\t"): output.appendByte(UInt8(ascii: "t"))
        case 0x08: output.appendByte(UInt8(ascii: "b"))
        case 0x0C: output.appendByte(UInt8(ascii: "f"))
        default:
            output.appendBytes("u00")
            output.appendByte(ASCII.hexDigits[Int(byte >> 4)])
            output.appendByte(ASCII.hexDigits[Int(byte & 0x0F)])
        }
    }
}
