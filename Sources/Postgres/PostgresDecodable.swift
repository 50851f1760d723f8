public import FoundationEssentials

/// One non-NULL column value in PostgreSQL's binary format.
///
/// `bytes` is only valid during the ``PostgresDecodable/init(postgresValue:)`` call that receives it.
public struct PostgresValue {
    /// The column's type.
    public let type: PostgresDataType
    /// The value's binary representation.
    public let bytes: UnsafeRawBufferPointer

    /// Wraps a value; the library makes these.
    public init(type: PostgresDataType, bytes: UnsafeRawBufferPointer) {
        self.type = type
        self.bytes = bytes
    }

    /// Reads a big-endian integer at `offset`.
    public func read<Integer: FixedWidthInteger>(_: Integer.Type, at offset: Int = 0) -> Integer {
        Integer(bigEndian: bytes.loadUnaligned(fromByteOffset: offset, as: Integer.self))
    }

    /// The value of an `int2`/`int4`/`int8`/`oid` column.
    var integer: Int64? {
        switch (type, bytes.count) {
        case (.int2, 2): Int64(read(Int16.self))
        case (.int4, 4): Int64(read(Int32.self))
        case (.int8, 8): read(Int64.self)
        case (.oid, 4): Int64(read(UInt32.self))
        default: nil
        }
    }

    /// The UTF-8 text of a textual column (`text`, `varchar`, `name`, `json`, `jsonb`, enums …).
    var text: String? {
        if type.isTextual { return String(decoding: bytes, as: UTF8.self) }
        // jsonb's binary format is a version byte (1) followed by the JSON text.
        if type == .jsonb, bytes.first == 1 { return String(decoding: bytes.dropFirst(), as: UTF8.self) }
        return nil
    }
}

/// A Swift type that can be read from a result column.
///
/// Decoding is strict about the column type (an `Int16` cannot read an `int8` value that does not fit, a
/// `Bool` only reads `bool`) and returns `nil` on a mismatch; the row then throws a ``PostgresError`` naming
/// the column, its type and the requested type.
public protocol PostgresDecodable: Sendable {
    /// Decodes a non-NULL value, or returns `nil` if the column's type or value does not fit `Self`.
    init?(postgresValue value: PostgresValue)
    /// The value for SQL NULL, or `nil` if `Self` cannot represent NULL (the default).
    static var postgresNull: Self? { get }
}

extension PostgresDecodable {
    /// Non-optional types cannot represent NULL.
    public static var postgresNull: Self? { nil }
}

extension PostgresDecodable where Self: FixedWidthInteger {
    /// Reads `int2`, `int4`, `int8` and `oid` values that fit.
    public init?(postgresValue value: PostgresValue) {
        guard let integer = value.integer else { return nil }
        self.init(exactly: integer)
    }
}

extension Optional: PostgresDecodable where Wrapped: PostgresDecodable {
    /// Decodes the wrapped type.
    public init?(postgresValue value: PostgresValue) {
        guard let wrapped = Wrapped(postgresValue: value) else { return nil }
        self = .some(wrapped)
    }

    /// NULL decodes as `nil`.
    public static var postgresNull: Self? { .some(.none) }
}

extension Int: PostgresDecodable {}

extension Int16: PostgresDecodable {}

extension Int32: PostgresDecodable {}

extension Int64: PostgresDecodable {}

extension Double: PostgresDecodable {
    /// Reads `float8`, `float4`, integers and `numeric` (rounded to the nearest double).
    public init?(postgresValue value: PostgresValue) {
        switch (value.type, value.bytes.count) {
        case (.float8, 8): self = Double(bitPattern: value.read(UInt64.self))
        case (.float4, 4): self = Double(Float(bitPattern: value.read(UInt32.self)))
        case (.numeric, _):
            guard let numeric = PostgresNumeric(postgresValue: value), let double = Double(numeric.description) else {
                return nil
            }
            self = double
        default:
            guard let integer = value.integer else { return nil }
            self = Double(integer)
        }
    }
}

extension Float: PostgresDecodable {
    /// Reads `float4`, and `float8` rounded to the nearest float.
    public init?(postgresValue value: PostgresValue) {
        switch (value.type, value.bytes.count) {
        case (.float4, 4): self = Float(bitPattern: value.read(UInt32.self))
        case (.float8, 8): self = Float(Double(bitPattern: value.read(UInt64.self)))
        default: return nil
        }
    }
}

extension Bool: PostgresDecodable {
    /// Reads `bool`.
    public init?(postgresValue value: PostgresValue) {
        guard value.type == .bool, value.bytes.count == 1 else { return nil }
        self = value.bytes[0] != 0
    }
}

extension String: PostgresDecodable {
    /// Reads textual types (`text`, `varchar`, `char(n)`, `name`, `json`, `jsonb`, enums) and `numeric`.
    public init?(postgresValue value: PostgresValue) {
        if let text = value.text {
            self = text
        } else if value.type == .numeric, let numeric = PostgresNumeric(postgresValue: value) {
            self = numeric.description
        } else {
            return nil
        }
    }
}

extension UUID: PostgresDecodable {
    /// Reads `uuid`.
    public init?(postgresValue value: PostgresValue) {
        guard value.type == .uuid, value.bytes.count == 16 else { return nil }
        var uuid: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &uuid) { $0.copyMemory(from: value.bytes) }
        self.init(uuid: uuid)
    }
}

extension Array: PostgresDecodable where Element == UInt8 {
    /// Reads `bytea`.
    public init?(postgresValue value: PostgresValue) {
        guard value.type == .bytea else { return nil }
        self.init(value.bytes)
    }
}

extension Date: PostgresDecodable {
    /// Reads `timestamptz`, `timestamp` (taken as UTC) and `date` (midnight UTC); ±infinity reads as
    /// `distantFuture`/`distantPast`.
    public init?(postgresValue value: PostgresValue) {
        switch (value.type, value.bytes.count) {
        case (.timestamptz, 8), (.timestamp, 8):
            self = PostgresTimestamp.date(postgresMicroseconds: value.read(Int64.self))
        case (.date, 4):
            let days = value.read(Int32.self)
            if days == .max {
                self = .distantFuture
                return
            }
            if days == .min {
                self = .distantPast
                return
            }
            self = PostgresTimestamp.date(postgresMicroseconds: Int64(days) * 86_400_000_000)
        default:
            return nil
        }
    }
}

extension Decimal: PostgresDecodable {
    /// Reads `numeric` (exact within `Decimal`'s 38 significant digits) and integers.
    public init?(postgresValue value: PostgresValue) {
        if let integer = value.integer {
            self.init(integer)
            return
        }
        guard let numeric = PostgresNumeric(postgresValue: value) else { return nil }
        if numeric.isNaN {
            self = .nan
            return
        }
        guard let decimal = Decimal(string: numeric.description) else { return nil }
        self = decimal
    }
}
