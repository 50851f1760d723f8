/// The decoded path parameters of a matched route, e.g. `id` in `/items/{id}`.
public struct Parameters: Sendable {
    private var values: [(name: String, value: String)] = []

    /// Creates an empty set.
    public init() {}

    mutating func append(name: String, value: String) {
        values.append((name, value))
    }

    /// The raw decoded value of `name`, or nil.
    public subscript(name: String) -> String? {
        values.first { $0.name == name }?.value
    }

    /// The value of `name` converted to `type`; a missing or unconvertible value is a 400 problem response.
    public func require<Value: LosslessStringConvertible>(_ name: String, as type: Value.Type = Value.self) throws(HTTPError) -> Value {
        guard let raw = self[name] else {
            throw HTTPError(.badRequest, detail: "Missing path parameter '\(name)'.")
        }
        guard let value = Value(raw) else {
            throw HTTPError(.badRequest, detail: "Path parameter '\(name)' must be a valid \(Value.self).")
        }
        return value
    }
}
