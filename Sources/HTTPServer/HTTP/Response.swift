/// An HTTP response: status, header fields and a body held in memory.
///
/// The server adds `Date`, `Content-Length` and `Connection` itself; a handler sets the rest.
public struct Response: Sendable {
    /// The status.
    public var status: HTTPStatus
    /// Header fields to send besides the ones the server adds.
    public var headers: HTTPHeaders
    /// The body; ignored for HEAD requests and for statuses that allow none.
    public var body: [UInt8]
    /// The route template that produced the response, set by ``Router`` for metrics and logs.
    var route: String?

    /// Creates a response.
    public init(status: HTTPStatus = .ok, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A response with a UTF-8 text body.
    public static func text(_ text: String, status: HTTPStatus = .ok, contentType: String = "text/plain; charset=utf-8") -> Response {
        Response(status: status, headers: ["Content-Type": contentType], body: Array(text.utf8))
    }

    /// A response whose body is already-encoded JSON.
    public static func json(bytes: [UInt8], status: HTTPStatus = .ok) -> Response {
        Response(status: status, headers: ["Content-Type": "application/json"], body: bytes)
    }
}
