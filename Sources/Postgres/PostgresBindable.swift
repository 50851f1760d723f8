public import FoundationEssentials

/// A Swift value that can be sent as a query parameter.
///
/// Conform your own types by appending their PostgreSQL text syntax:
/// ```swift
/// extension OrderStatus: PostgresBindable {
///     public func bind(into bindings: inout PostgresBindings) { bindings.appendText(rawValue) }
/// }
/// ```
public protocol PostgresBindable: Sendable {
    /// Appends exactly one parameter to `bindings`.
    func bind(into bindings: inout PostgresBindings)
}

extension PostgresBindable where Self: FixedWidthInteger {
    /// Binds the decimal digits.
    public func bind(into bindings: inout PostgresBindings) { bindings.appendText(String(self)) }
}

extension PostgresBindable where Self: BinaryFloatingPoint & LosslessStringConvertible {
    /// Binds the shortest text that round-trips, or `NaN`/`Infinity`/`-Infinity`.
    public func bind(into bindings: inout PostgresBindings) {
        if isNaN {
            bindings.appendText("NaN")
        } else if isInfinite {
            bindings.appendText(self < 0 ? "-Infinity" : "Infinity")
        } else {
            bindings.appendText(description)
        }
    }
}

extension Optional: PostgresBindable where Wrapped: PostgresBindable {
    /// Binds the wrapped value, or SQL NULL.
    public func bind(into bindings: inout PostgresBindings) {
        switch self {
        case .some(let value): value.bind(into: &bindings)
        case .none: bindings.appendNull()
        }
    }
}

extension String: PostgresBindable {
    /// Binds the string as text.
    public func bind(into bindings: inout PostgresBindings) { bindings.appendText(self) }
}

extension Substring: PostgresBindable {
    /// Binds the substring as text.
    public func bind(into bindings: inout PostgresBindings) { bindings.appendText(self) }
}

extension Bool: PostgresBindable {
    /// Binds `t` or `f`.
    public func bind(into bindings: inout PostgresBindings) { bindings.appendText(self ? "t" : "f") }
}

extension Int: PostgresBindable {}

extension Int16: PostgresBindable {}

extension Int32: PostgresBindable {}

extension Int64: PostgresBindable {}

extension Double: PostgresBindable {}

extension Float: PostgresBindable {}

extension Decimal: PostgresBindable {
    /// Binds the exact decimal digits (`NaN` for a NaN decimal).
    public func bind(into bindings: inout PostgresBindings) {
        bindings.appendText(isNaN ? "NaN" : description)
    }
}

extension UUID: PostgresBindable {
    /// Binds the canonical text form.
    public func bind(into bindings: inout PostgresBindings) { bindings.appendText(uuidString) }
}

extension Array: PostgresBindable where Element == UInt8 {
    /// Binds the bytes as `bytea`, in binary.
    public func bind(into bindings: inout PostgresBindings) { bindings.appendBinary(self) }
}

extension Date: PostgresBindable {
    /// Binds an ISO 8601 UTC timestamp with microseconds; `distantPast`/`distantFuture` bind `-infinity`/`infinity`.
    public func bind(into bindings: inout PostgresBindings) {
        if self == .distantFuture {
            bindings.appendText("infinity")
        } else if self == .distantPast {
            bindings.appendText("-infinity")
        } else {
            bindings.appendText(
                PostgresTimestamp.isoText(microsecondsSince1970: PostgresTimestamp.microseconds(of: self)))
        }
    }
}
