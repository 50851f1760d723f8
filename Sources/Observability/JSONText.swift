/// Appends JSON tokens as bytes: for log lines, and for response bodies written by hand on hot paths.
public enum JSONText {
    /// Appends `string` as a quoted JSON string.
    ///
    /// Quotes, backslashes and control characters are escaped; everything else, including non-ASCII
    /// UTF-8 (always valid in a Swift `String`), is copied through in runs.
    public static func appendString(_ string: String, to output: inout [UInt8]) {
        ASCII.withUTF8(string) { appendQuoted($0, to: &output) }
    }

    /// Appends `string` as a quoted JSON string, escaped like a `String`.
    public static func appendString(_ string: StaticString, to output: inout [UInt8]) {
        string.withUTF8Buffer { appendQuoted($0, to: &output) }
    }

    private static func appendQuoted(_ bytes: UnsafeBufferPointer<UInt8>, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        var runStart = 0
        for index in bytes.indices {
            let byte = bytes[index]
            guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else {
                continue
            }
            output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
            appendEscape(byte, to: &output)
            runStart = index + 1
        }
        output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart...]))
        output.append(UInt8(ascii: "\""))
    }

    /// Appends `value` as a JSON value: numbers for integers and finite doubles, strings otherwise.
    static func appendValue(_ value: LogValue, to output: inout [UInt8]) {
        switch value {
        case .string(let string):
            appendString(string, to: &output)
        case .int(let int):
            ASCII.appendInteger(int, to: &output)
        case .double(let double):
            if double.isFinite {
                // Swift's shortest round-trip form ("0.1", "1e-05", "1e+16") is always a valid JSON number.
                output.append(contentsOf: double.description.utf8)
            } else {
                output.append(
                    contentsOf: (double.isNaN ? "\"NaN\"" : double < 0 ? "\"-Infinity\"" : "\"Infinity\"").utf8)
            }
        case .bool(let bool):
            output.append(contentsOf: (bool ? "true" : "false").utf8)
        }
    }

    /// Appends `,"key":"value"`; `key` is written as is (plain ASCII, no quotes or backslashes), `value` escaped.
    public static func appendField(_ key: StaticString, _ value: String, to output: inout [UInt8]) {
        appendKey(key, to: &output)
        appendString(value, to: &output)
    }

    /// Appends `,"key":value` for an integer.
    public static func appendField(_ key: StaticString, _ value: Int, to output: inout [UInt8]) {
        appendKey(key, to: &output)
        ASCII.appendInteger(value, to: &output)
    }

    /// Appends `,"key":value` for a double (a string for NaN and the infinities, as ``appendValue(_:to:)`` does).
    public static func appendField(_ key: StaticString, _ value: Double, to output: inout [UInt8]) {
        appendKey(key, to: &output)
        appendValue(.double(value), to: &output)
    }

    /// Appends `,"key":value` with `duration` in milliseconds, to the microsecond (`"duration_ms":12.345`).
    ///
    /// Fixed-point integer formatting: a request-path field, where `Double.description` costs an allocation.
    public static func appendField(_ key: StaticString, milliseconds duration: Duration, to output: inout [UInt8]) {
        appendKey(key, to: &output)
        let (seconds, attoseconds) = duration.components
        let microseconds = seconds * 1_000_000 + attoseconds / 1_000_000_000_000
        if microseconds < 0 { output.append(UInt8(ascii: "-")) }
        let magnitude = microseconds.magnitude
        ASCII.appendInteger(Int(magnitude / 1000), to: &output)
        let fraction = Int(magnitude % 1000)
        output.append(UInt8(ascii: "."))
        output.append(UInt8(ascii: "0") &+ UInt8(fraction / 100))
        output.append(UInt8(ascii: "0") &+ UInt8(fraction / 10 % 10))
        output.append(UInt8(ascii: "0") &+ UInt8(fraction % 10))
    }

    private static func appendKey(_ key: StaticString, to output: inout [UInt8]) {
        output.append(UInt8(ascii: ","))
        output.append(UInt8(ascii: "\""))
        key.withUTF8Buffer { output.append(contentsOf: $0) }
        output.append(UInt8(ascii: "\""))
        output.append(UInt8(ascii: ":"))
    }

    /// Appends `,"key":value` for each field, in order.
    static func appendFields(_ fields: KeyValuePairs<String, LogValue>, to output: inout [UInt8]) {
        for (key, value) in fields {
            output.append(UInt8(ascii: ","))
            appendString(key, to: &output)
            output.append(UInt8(ascii: ":"))
            appendValue(value, to: &output)
        }
    }

    private static func appendEscape(_ byte: UInt8, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\\"))
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"): output.append(byte)
        case UInt8(ascii: "\n"): output.append(UInt8(ascii: "n"))
        case UInt8(ascii: "\r"): output.append(UInt8(ascii: "r"))
        case UInt8(ascii: "\t"): output.append(UInt8(ascii: "t"))
        case 0x08: output.append(UInt8(ascii: "b"))
        case 0x0C: output.append(UInt8(ascii: "f"))
        default:
            output.append(contentsOf: "u00".utf8)
            output.append(ASCII.hexDigits[Int(byte >> 4)])
            output.append(ASCII.hexDigits[Int(byte & 0x0F)])
        }
    }
}
