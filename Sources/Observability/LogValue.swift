/// The value of a structured log field.
///
/// Literals convert directly, so fields read naturally at the call site:
/// ```swift
/// logger.info("request done", ["http.route": "/users/{id}", "status": 200, "duration": 0.012, "cached": false])
/// ```
public enum LogValue: Sendable, ExpressibleByStringLiteral, ExpressibleByStringInterpolation,
    ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral, ExpressibleByBooleanLiteral
{
    /// Written as a JSON string.
    case string(String)
    /// Written as a JSON number.
    case int(Int)
    /// Written as a JSON number when finite; `NaN`, `Infinity` and `-Infinity` are written as JSON strings.
    case double(Double)
    /// Written as JSON `true` or `false`.
    case bool(Bool)
    /// Written as a JSON number of milliseconds to the microsecond (`12.345`), as the access log's `duration_ms`.
    case milliseconds(Duration)

    /// Creates a string value from a literal.
    public init(stringLiteral value: String) {
        self = .string(value)
    }

    /// Creates an integer value from a literal.
    public init(integerLiteral value: Int) {
        self = .int(value)
    }

    /// Creates a floating-point value from a literal.
    public init(floatLiteral value: Double) {
        self = .double(value)
    }

    /// Creates a Boolean value from a literal.
    public init(booleanLiteral value: Bool) {
        self = .bool(value)
    }
}
