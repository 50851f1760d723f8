/// An HTTP request as a handler sees it: head, body, route parameters, request id and trace context.
public struct Request: Sendable {
    /// The request method.
    public let method: HTTPMethod
    /// The path as sent, still percent-encoded (use ``parameters`` for decoded segments).
    public let path: String
    /// The raw query string after "?", or nil.
    public let query: String?
    /// The protocol version.
    public let version: HTTPVersion
    /// The header fields in the order received.
    public let headers: HTTPHeaders
    /// The body, de-chunked; empty when there is none.
    public let body: [UInt8]
    /// The request id: the client's `X-Request-ID` when well-formed, otherwise generated. Echoed in the response.
    public let id: String
    /// The W3C trace context: the caller's trace continued (from `traceparent`) or a new one, and this request's span.
    public let trace: TraceContext
    /// The peer's address, e.g. `127.0.0.1:53012`.
    public let remoteAddress: String
    /// Decoded path parameters of the matched route.
    public internal(set) var parameters = Parameters()
    /// The template of the matched route, e.g. `/items/{id}`, or nil when no route matched.
    public internal(set) var route: String?

    /// Creates a request; the server builds these, tests may too.
    public init(
        method: HTTPMethod, path: String, query: String? = nil, version: HTTPVersion = .http1_1,
        headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = [], id: String = "test",
        trace: TraceContext = TraceContext(traceID: .init(high: 0, low: 1), spanID: 1), remoteAddress: String = "127.0.0.1:0"
    ) {
        self.method = method
        self.path = path
        self.query = query
        self.version = version
        self.headers = headers
        self.body = body
        self.id = id
        self.trace = trace
        self.remoteAddress = remoteAddress
    }

    /// The value of query parameter `name`, percent-decoded ("+" as space), or nil when it is absent.
    ///
    /// - Throws: ``HTTPError`` 400 when the parameter is given more than once (which one counts is a guess a proxy
    ///   or cache in front may make differently) or its value is not percent-encoded UTF-8 without NUL: never read
    ///   as absent, which would quietly apply the default.
    public func queryParameter(_ name: String) throws(HTTPError) -> String? {
        guard let query else { return nil }
        var found: String?
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let key = PercentDecoding.decode(parts[0], plusAsSpace: true), key == name else { continue }
            guard found == nil else {
                throw HTTPError(.badRequest, detail: "Query parameter '\(name)' is given more than once.", fieldErrors: [.init(field: name, message: "repeated")])
            }
            guard let value = parts.count > 1 ? PercentDecoding.decode(parts[1], plusAsSpace: true) : "" else {
                throw HTTPError(
                    .badRequest, detail: "Query parameter '\(name)' is not valid percent-encoded UTF-8.",
                    fieldErrors: [.init(field: name, message: "undecodable")]
                )
            }
            found = value
        }
        return found
    }
}
