import FoundationEssentials

/// An error that becomes an RFC 9457 `application/problem+json` response.
///
/// Throw it from a handler for an expected failure (404, 409, 422 ...). Its `detail` is shown to
/// the client, so never put internal detail in it; any other error becomes a bare 500.
public struct HTTPError: Error, Sendable {
    /// One invalid field of a request body, for 422 responses.
    public struct FieldError: Sendable, Codable, Hashable {
        /// The field's name or JSON pointer.
        public var field: String
        /// What is wrong with it.
        public var message: String

        /// Creates a field error.
        public init(field: String, message: String) {
            self.field = field
            self.message = message
        }
    }

    /// The status to answer with.
    public var status: HTTPStatus
    /// A human-readable explanation specific to this occurrence, safe to show to clients.
    public var detail: String?
    /// Per-field validation errors.
    public var fieldErrors: [FieldError]
    /// Extra header fields, e.g. `Retry-After` or `Allow`.
    public var headers: HTTPHeaders

    /// Creates an error.
    public init(_ status: HTTPStatus, detail: String? = nil, fieldErrors: [FieldError] = [], headers: HTTPHeaders = HTTPHeaders()) {
        self.status = status
        self.detail = detail
        self.fieldErrors = fieldErrors
        self.headers = headers
    }

    /// The problem+json response for a request with id `requestID`.
    public func response(requestID: String) -> Response {
        let problem = ProblemDetails(
            title: status.reasonPhrase, status: status.code, detail: detail, requestID: requestID,
            errors: fieldErrors.isEmpty ? nil : fieldErrors
        )
        var headers = self.headers
        headers.replaceOrAdd(name: "Content-Type", value: "application/problem+json")
        let body = (try? JSONEncoder.problem.encode(problem)).map(Array.init) ?? []
        return Response(status: status, headers: headers, body: body)
    }
}

/// The RFC 9457 problem details object; `request_id` lets a client quote the failure to operators.
struct ProblemDetails: Codable {
    var type = "about:blank"
    var title: String
    var status: Int
    var detail: String?
    var requestID: String
    var errors: [HTTPError.FieldError]?

    enum CodingKeys: String, CodingKey {
        case type, title, status, detail, errors
        case requestID = "request_id"
    }
}

extension JSONEncoder {
    static let problem: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()
}
