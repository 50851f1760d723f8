/// A request method this server implements (RFC 9110 §9).
///
/// Any other syntactically valid method is answered with 501 Not Implemented.
public enum HTTPMethod: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case get = "GET"
    case head = "HEAD"
    case post = "POST"
    case put = "PUT"
    case delete = "DELETE"
    case patch = "PATCH"
    case options = "OPTIONS"

    /// Recognises a method token, or returns nil for one we do not implement.
    init?(bytes: UnsafeRawBufferPointer) {
        switch bytes.count {
        case 3:
            if Self.equals(bytes, "GET") { self = .get } else if Self.equals(bytes, "PUT") { self = .put } else { return nil }
        case 4:
            if Self.equals(bytes, "POST") { self = .post } else if Self.equals(bytes, "HEAD") { self = .head } else { return nil }
        case 5:
            if Self.equals(bytes, "PATCH") { self = .patch } else { return nil }
        case 6:
            if Self.equals(bytes, "DELETE") { self = .delete } else { return nil }
        case 7:
            if Self.equals(bytes, "OPTIONS") { self = .options } else { return nil }
        default:
            return nil
        }
    }

    private static func equals(_ bytes: UnsafeRawBufferPointer, _ literal: StaticString) -> Bool {
        literal.withUTF8Buffer { literal in
            literal.count == bytes.count && memcmpEqual(bytes.baseAddress!, literal.baseAddress!, bytes.count)
        }
    }

    public var description: String { rawValue }
}

@inline(__always)
func memcmpEqual(_ lhs: UnsafeRawPointer, _ rhs: UnsafeRawPointer, _ count: Int) -> Bool {
    for index in 0..<count where lhs.load(fromByteOffset: index, as: UInt8.self) != rhs.load(fromByteOffset: index, as: UInt8.self) {
        return false
    }
    return true
}
