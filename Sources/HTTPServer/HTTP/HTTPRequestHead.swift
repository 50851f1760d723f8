/// The HTTP version of a request: 1.0 or 1.1.
public struct HTTPVersion: Hashable, Sendable, CustomStringConvertible {
    /// The major version (always 1 here).
    public let major: Int
    /// The minor version.
    public let minor: Int

    /// HTTP/1.0.
    public static let http1_0 = HTTPVersion(major: 1, minor: 0)
    /// HTTP/1.1.
    public static let http1_1 = HTTPVersion(major: 1, minor: 1)

    public var description: String { "HTTP/\(major).\(minor)" }
}

/// How the body of a request is delimited (RFC 9112 §6.3).
enum BodyFraming: Hashable, Sendable {
    case none
    case contentLength(Int)
    case chunked
}

/// The request line and header fields of a request, validated.
struct HTTPRequestHead: Sendable {
    var method: HTTPMethod
    /// The path part of the target as sent (still percent-encoded), always starting with "/" or equal to "*".
    var path: String
    /// The query after "?", without the "?", or nil.
    var query: String?
    var version: HTTPVersion
    var headers: HTTPHeaders
    var framing: BodyFraming
    /// Whether the client allows the connection to stay open after this request.
    var keepAlive: Bool
    /// Whether the client waits for `100 Continue` before sending the body.
    var expectsContinue: Bool
}
