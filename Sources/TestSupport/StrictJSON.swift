/// A small strict JSON parser (RFC 8259) for checking log lines; it keeps object members in order.
public enum StrictJSON: Equatable, Sendable {
    /// An object, its members in the order written (duplicates kept).
    case object([Member])
    /// An array.
    case array([StrictJSON])
    /// A string, unescaped.
    case string(String)
    /// The number's exact text, so tests can check how it was written.
    case number(String)
    /// `true` or `false`.
    case bool(Bool)
    /// `null`.
    case null

    /// One `"key": value` member of an object.
    public struct Member: Equatable, Sendable {
        /// The member's name.
        public let key: String
        /// The member's value.
        public let value: StrictJSON
    }

    /// Where and why the text is not JSON.
    public struct SyntaxError: Error, CustomStringConvertible {
        /// The byte offset where parsing stopped: at the problem, or just after a byte it found wrong.
        public let offset: Int
        /// What is wrong there.
        public let reason: String
        /// `invalid JSON at byte <offset>: <reason>`.
        public var description: String { "invalid JSON at byte \(offset): \(reason)" }
    }

    /// Parses exactly one JSON value, with optional surrounding whitespace and nothing else.
    public static func parse(_ text: some Collection<UInt8>) throws -> StrictJSON {
        var parser = Parser(bytes: Array(text))
        parser.skipWhitespace()
        let value = try parser.parseValue()
        parser.skipWhitespace()
        guard parser.offset == parser.bytes.count else {
            throw parser.error("trailing bytes")
        }
        return value
    }

    /// The member keys of an object, in order.
    public var keys: [String] {
        if case .object(let members) = self { members.map(\.key) } else { [] }
    }

    /// The first member called `key`.
    public subscript(key: String) -> StrictJSON? {
        if case .object(let members) = self { members.first { $0.key == key }?.value } else { nil }
    }

    private struct Parser {
        let bytes: [UInt8]
        var offset = 0

        func error(_ reason: String) -> SyntaxError {
            SyntaxError(offset: offset, reason: reason)
        }

        mutating func skipWhitespace() {
            while offset < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[offset]) {
                offset += 1
            }
        }

        mutating func expect(_ literal: String) throws {
            for byte in literal.utf8 {
                guard offset < bytes.count, bytes[offset] == byte else {
                    throw error("expected \(literal)")
                }
                offset += 1
            }
        }

        mutating func parseValue() throws -> StrictJSON {
            guard offset < bytes.count else {
                throw error("unexpected end")
            }
            switch bytes[offset] {
            case UInt8(ascii: "{"): return try parseObject()
            case UInt8(ascii: "["): return try parseArray()
            case UInt8(ascii: "\""): return .string(try parseString())
            case UInt8(ascii: "t"):
                try expect("true")
                return .bool(true)
            case UInt8(ascii: "f"):
                try expect("false")
                return .bool(false)
            case UInt8(ascii: "n"):
                try expect("null")
                return .null
            default: return .number(try parseNumber())
            }
        }

        mutating func parseObject() throws -> StrictJSON {
            .object(
                try parseList(open: "{", close: "}", name: "object") { parser in
                    guard parser.offset < parser.bytes.count, parser.bytes[parser.offset] == UInt8(ascii: "\"") else {
                        throw parser.error("expected a key")
                    }
                    let key = try parser.parseString()
                    parser.skipWhitespace()
                    try parser.expect(":")
                    parser.skipWhitespace()
                    return Member(key: key, value: try parser.parseValue())
                })
        }

        mutating func parseArray() throws -> StrictJSON {
            .array(try parseList(open: "[", close: "]", name: "array") { try $0.parseValue() })
        }

        /// Parses `open`, then items read by `item` separated by commas, then `close`.
        private mutating func parseList<Item>(
            open: Unicode.Scalar, close: Unicode.Scalar, name: String, item: (inout Parser) throws -> Item
        ) throws -> [Item] {
            try expect(String(open))
            var items: [Item] = []
            skipWhitespace()
            if offset < bytes.count, bytes[offset] == UInt8(ascii: close) {
                offset += 1
                return items
            }
            while true {
                skipWhitespace()
                items.append(try item(&self))
                skipWhitespace()
                guard offset < bytes.count else {
                    throw error("unterminated \(name)")
                }
                offset += 1
                switch bytes[offset - 1] {
                case UInt8(ascii: ","): continue
                case UInt8(ascii: close): return items
                default: throw error("expected , or \(close)")
                }
            }
        }

        mutating func parseString() throws -> String {
            try expect("\"")
            var scalars = String.UnicodeScalarView()
            var raw: [UInt8] = []
            func flushRaw() throws {
                guard !raw.isEmpty else { return }
                // Reject invalid UTF-8 instead of letting String repair it.
                guard let decoded = String(validating: raw, as: UTF8.self) else {
                    throw error("invalid UTF-8")
                }
                scalars.append(contentsOf: decoded.unicodeScalars)
                raw.removeAll()
            }
            while true {
                guard offset < bytes.count else {
                    throw error("unterminated string")
                }
                let byte = bytes[offset]
                offset += 1
                switch byte {
                case UInt8(ascii: "\""):
                    try flushRaw()
                    return String(scalars)
                case UInt8(ascii: "\\"):
                    try flushRaw()
                    guard offset < bytes.count else {
                        throw error("unterminated escape")
                    }
                    offset += 1
                    switch bytes[offset - 1] {
                    case UInt8(ascii: "\""): scalars.append("\"")
                    case UInt8(ascii: "\\"): scalars.append("\\")
                    case UInt8(ascii: "/"): scalars.append("/")
                    case UInt8(ascii: "b"): scalars.append("\u{08}")
                    case UInt8(ascii: "f"): scalars.append("\u{0C}")
                    case UInt8(ascii: "n"): scalars.append("\n")
                    case UInt8(ascii: "r"): scalars.append("\r")
                    case UInt8(ascii: "t"): scalars.append("\t")
                    case UInt8(ascii: "u"): scalars.append(try parseUnicodeEscape())
                    default: throw error("invalid escape")
                    }
                case 0x00..<0x20:
                    throw error("unescaped control character")
                default:
                    raw.append(byte)
                }
            }
        }

        mutating func parseHex4() throws -> UInt32 {
            guard offset + 4 <= bytes.count,
                let value = UInt32(String(decoding: bytes[offset..<offset + 4], as: UTF8.self), radix: 16)
            else {
                throw error("invalid \\u escape")
            }
            offset += 4
            return value
        }

        mutating func parseUnicodeEscape() throws -> Unicode.Scalar {
            let high = try parseHex4()
            if (0xD800..<0xDC00).contains(high) {
                try expect("\\u")
                let low = try parseHex4()
                guard (0xDC00..<0xE000).contains(low) else {
                    throw error("unpaired surrogate")
                }
                return Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))!
            }
            guard let scalar = Unicode.Scalar(high) else {
                throw error("unpaired surrogate")
            }
            return scalar
        }

        mutating func parseNumber() throws -> String {
            let start = offset
            func digits() -> Int {
                let before = offset
                while offset < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[offset]) {
                    offset += 1
                }
                return offset - before
            }
            if offset < bytes.count, bytes[offset] == UInt8(ascii: "-") {
                offset += 1
            }
            let integerStart = offset
            let integerDigits = digits()
            guard integerDigits > 0, integerDigits == 1 || bytes[integerStart] != UInt8(ascii: "0") else {
                throw error("invalid number")
            }
            if offset < bytes.count, bytes[offset] == UInt8(ascii: ".") {
                offset += 1
                guard digits() > 0 else { throw error("invalid fraction") }
            }
            if offset < bytes.count, bytes[offset] == UInt8(ascii: "e") || bytes[offset] == UInt8(ascii: "E") {
                offset += 1
                if offset < bytes.count, bytes[offset] == UInt8(ascii: "+") || bytes[offset] == UInt8(ascii: "-") {
                    offset += 1
                }
                guard digits() > 0 else { throw error("invalid exponent") }
            }
            return String(decoding: bytes[start..<offset], as: UTF8.self)
        }
    }
}
