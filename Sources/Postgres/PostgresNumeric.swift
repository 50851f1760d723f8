public import FoundationEssentials

/// An exact `numeric` value, kept as PostgreSQL's decimal text (`"-1234.5600"`, `"NaN"`, `"Infinity"`).
///
/// No digits or scale are lost, however large the value. `description` is a valid JSON number for finite
/// values, so hand-written JSON can embed it as is; `Encodable` goes through `Decimal` and throws if that
/// would change the value.
public struct PostgresNumeric: Sendable, Hashable, LosslessStringConvertible, Codable {
    /// The decimal text, exactly as PostgreSQL prints it.
    public let description: String

    /// Validates `description` as a numeric literal: `[-]digits[.digits]`, `NaN`, `Infinity` or `-Infinity`.
    public init?(_ description: String) {
        guard Self.isValid(description) else { return nil }
        self.description = description
    }

    private init(unchecked description: String) {
        self.description = description
    }

    /// The exact value of an integer.
    public init(_ value: some BinaryInteger) {
        self.init(unchecked: String(value))
    }

    /// True for `NaN`.
    public var isNaN: Bool { description == "NaN" }

    /// The value as a `Decimal`, or `nil` if `Decimal` cannot hold it exactly (or it is not finite).
    public var decimalValue: Decimal? {
        guard let decimal = Decimal(string: description),
            Self.stripTrailingZeros(decimal.description) == Self.stripTrailingZeros(description)
        else { return nil }
        return decimal
    }

    /// Decodes a JSON number or string.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self), let value = PostgresNumeric(text) {
            self = value
            return
        }
        let decimal = try container.decode(Decimal.self)
        guard let value = PostgresNumeric(decimal.description) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a finite number")
        }
        self = value
    }

    /// Encodes a JSON number with the same value (trailing fractional zeros may be dropped).
    public func encode(to encoder: any Encoder) throws {
        guard let decimal = decimalValue else {
            throw EncodingError.invalidValue(
                self,
                .init(codingPath: encoder.codingPath, debugDescription: "numeric does not fit Decimal exactly")
            )
        }
        var container = encoder.singleValueContainer()
        try container.encode(decimal)
    }

    private static func stripTrailingZeros(_ text: String) -> Substring {
        guard text.contains(".") else { return text[...] }
        var end = text.endIndex
        while end > text.startIndex, text[text.index(before: end)] == "0" { end = text.index(before: end) }
        if end > text.startIndex, text[text.index(before: end)] == "." { end = text.index(before: end) }
        let trimmed = text[..<end]
        return trimmed == "-0" ? "0" : trimmed
    }

    private static func isValid(_ text: String) -> Bool {
        if text == "NaN" || text == "Infinity" || text == "-Infinity" { return true }
        var utf8 = text.utf8[...]
        if utf8.first == UInt8(ascii: "-") { utf8 = utf8.dropFirst() }
        let integerDigits = utf8.prefix { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
        guard !integerDigits.isEmpty else { return false }
        utf8 = utf8.dropFirst(integerDigits.count)
        if utf8.isEmpty { return true }
        guard utf8.first == UInt8(ascii: "."), utf8.count > 1 else { return false }
        return utf8.dropFirst().allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
    }
}

extension PostgresNumeric: PostgresBindable {
    /// Binds the exact text.
    public func bind(into bindings: inout PostgresBindings) {
        bindings.appendText(description)
    }
}

extension PostgresNumeric: PostgresDecodable {
    /// Reads `numeric` (binary base-10000 digits, rendered like PostgreSQL's own output) and integers.
    public init?(postgresValue value: PostgresValue) {
        if let integer = value.integer {
            self.init(integer)
            return
        }
        guard value.type == .numeric, value.bytes.count >= 8 else { return nil }
        let digitCount = Int(value.read(Int16.self, at: 0))
        let weight = Int(value.read(Int16.self, at: 2))
        let sign = value.read(UInt16.self, at: 4)
        let displayScale = Int(value.read(Int16.self, at: 6))
        guard digitCount >= 0, value.bytes.count == 8 + 2 * digitCount else { return nil }
        switch sign {
        case 0xC000:
            self.init(unchecked: "NaN")
            return
        case 0xD000:
            self.init(unchecked: "Infinity")
            return
        case 0xF000:
            self.init(unchecked: "-Infinity")
            return
        case 0x0000, 0x4000: break
        default: return nil
        }
        func digit(_ index: Int) -> Int {
            index >= 0 && index < digitCount ? Int(value.read(Int16.self, at: 8 + 2 * index)) : 0
        }
        var text: [UInt8] = []
        text.reserveCapacity(2 + 4 * (max(weight, 0) + 1) + displayScale)
        if sign == 0x4000 { text.append(UInt8(ascii: "-")) }
        if weight < 0 {
            text.append(UInt8(ascii: "0"))
        } else {
            for index in 0...weight {
                let group = digit(index)
                if index == 0 {
                    text.append(contentsOf: String(group).utf8)
                } else {
                    Self.appendGroup(group, count: 4, to: &text)
                }
            }
        }
        if displayScale > 0 {
            text.append(UInt8(ascii: "."))
            var remaining = displayScale
            var index = weight + 1
            while remaining > 0 {
                Self.appendGroup(digit(index), count: min(4, remaining), to: &text)
                remaining -= 4
                index += 1
            }
        }
        self.init(unchecked: String(decoding: text, as: UTF8.self))
    }

    /// Appends the first `count` of the four decimal digits of `group`.
    private static func appendGroup(_ group: Int, count: Int, to text: inout [UInt8]) {
        var divisor = 1000
        for _ in 0..<count {
            text.append(UInt8(ascii: "0") + UInt8(group / divisor % 10))
            divisor /= 10
        }
    }
}
