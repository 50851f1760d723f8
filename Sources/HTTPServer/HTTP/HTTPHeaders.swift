/// Header fields in the order they were received or added, looked up without regard to case.
public struct HTTPHeaders: Sendable, Sequence, ExpressibleByDictionaryLiteral {
    /// One header field.
    public struct Field: Sendable, Hashable {
        /// The field name as sent.
        public var name: String
        /// The field value without surrounding whitespace.
        public var value: String
    }

    private var fields: [Field] = []

    /// Creates an empty header list.
    public init() {}

    public init(dictionaryLiteral elements: (String, String)...) {
        fields = elements.map { Field(name: $0.0, value: $0.1) }
    }

    /// The number of fields.
    public var count: Int { fields.count }

    /// The first value for `name` (case-insensitive), or nil.
    public subscript(name: String) -> String? {
        fields.first { Self.namesMatch($0.name, name) }?.value
    }

    /// Every value for `name` (case-insensitive), in order.
    public func values(for name: String) -> [String] {
        fields.filter { Self.namesMatch($0.name, name) }.map(\.value)
    }

    /// The value of `name` when exactly one field has that name; nil when none or several do (a receiver must not
    /// guess which of several counts).
    public func onlyValue(for name: String) -> String? {
        var found: String?
        for field in fields where Self.namesMatch(field.name, name) {
            guard found == nil else { return nil }
            found = field.value
        }
        return found
    }

    /// Whether a field named `name` is present.
    public func contains(_ name: String) -> Bool {
        fields.contains { Self.namesMatch($0.name, name) }
    }

    /// Appends a field, keeping any existing ones with the same name.
    public mutating func add(name: String, value: String) {
        fields.append(Field(name: name, value: value))
    }

    /// Replaces all fields named `name` with one field.
    public mutating func replaceOrAdd(name: String, value: String) {
        remove(name)
        fields.append(Field(name: name, value: value))
    }

    /// Removes all fields named `name`.
    public mutating func remove(_ name: String) {
        fields.removeAll { Self.namesMatch($0.name, name) }
    }

    public func makeIterator() -> IndexingIterator<[Field]> {
        fields.makeIterator()
    }

    /// ASCII case-insensitive comparison; header names are tokens, so ASCII is all there is.
    static func namesMatch(_ lhs: String, _ rhs: String) -> Bool {
        // Native strings know their UTF-8 length: most names differ in it, and need no byte compared.
        guard lhs.utf8.count == rhs.utf8.count else { return false }
        var lhs = lhs
        var rhs = rhs
        return lhs.withUTF8 { left in
            rhs.withUTF8 { right in
                guard left.count == right.count else { return false }
                for index in 0..<left.count where asciiLowercased(left[index]) != asciiLowercased(right[index]) {
                    return false
                }
                return true
            }
        }
    }
}

@inline(__always)
func asciiLowercased(_ byte: UInt8) -> UInt8 {
    byte &- UInt8(ascii: "A") < 26 ? byte | 0x20 : byte
}
