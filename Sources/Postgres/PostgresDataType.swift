/// A PostgreSQL type, identified by its OID as reported in a result's row description.
public struct PostgresDataType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The type's OID (`pg_type.oid`).
    public let rawValue: UInt32

    /// Wraps an OID.
    public init(rawValue: UInt32) {
        self.rawValue = rawValue
    }

    /// `bool`
    public static let bool = Self(rawValue: 16)
    /// `bytea`
    public static let bytea = Self(rawValue: 17)
    /// `"char"` (one byte)
    public static let char = Self(rawValue: 18)
    /// `name`
    public static let name = Self(rawValue: 19)
    /// `int8` / `bigint`
    public static let int8 = Self(rawValue: 20)
    /// `int2` / `smallint`
    public static let int2 = Self(rawValue: 21)
    /// `int4` / `integer`
    public static let int4 = Self(rawValue: 23)
    /// `text`
    public static let text = Self(rawValue: 25)
    /// `oid`
    public static let oid = Self(rawValue: 26)
    /// `json`
    public static let json = Self(rawValue: 114)
    /// `float4` / `real`
    public static let float4 = Self(rawValue: 700)
    /// `float8` / `double precision`
    public static let float8 = Self(rawValue: 701)
    /// `unknown` (an untyped literal such as `SELECT 'x'`)
    public static let unknown = Self(rawValue: 705)
    /// `bpchar` / `char(n)`
    public static let bpchar = Self(rawValue: 1042)
    /// `varchar`
    public static let varchar = Self(rawValue: 1043)
    /// `date`
    public static let date = Self(rawValue: 1082)
    /// `timestamp` (without time zone)
    public static let timestamp = Self(rawValue: 1114)
    /// `timestamptz`
    public static let timestamptz = Self(rawValue: 1184)
    /// `numeric`
    public static let numeric = Self(rawValue: 1700)
    /// `uuid`
    public static let uuid = Self(rawValue: 2950)
    /// `jsonb`
    public static let jsonb = Self(rawValue: 3802)

    /// Types whose binary representation is their UTF-8 text. User-defined types (OID ≥ 16384) are
    /// mostly enums, which also send text.
    var isTextual: Bool {
        switch self {
        case .text, .varchar, .bpchar, .name, .unknown, .json, .char: true
        default: rawValue >= 16384
        }
    }

    public var description: String {
        switch self {
        case .bool: "bool"
        case .bytea: "bytea"
        case .char: "char"
        case .name: "name"
        case .int8: "int8"
        case .int2: "int2"
        case .int4: "int4"
        case .text: "text"
        case .oid: "oid"
        case .json: "json"
        case .float4: "float4"
        case .float8: "float8"
        case .unknown: "unknown"
        case .bpchar: "bpchar"
        case .varchar: "varchar"
        case .date: "date"
        case .timestamp: "timestamp"
        case .timestamptz: "timestamptz"
        case .numeric: "numeric"
        case .uuid: "uuid"
        case .jsonb: "jsonb"
        default: "oid \(rawValue)"
        }
    }
}
