import FoundationEssentials

extension Request {
    /// Decodes the JSON body as `type`.
    ///
    /// A content type other than JSON is a 415 problem; a body that is not valid JSON or does not
    /// fit `type` is a 400 problem. Neither echoes the body back.
    public func decodeJSON<T: Decodable>(_ type: T.Type = T.self) throws(HTTPError) -> T {
        guard let contentType = headers["Content-Type"], Self.isJSON(contentType) else {
            throw HTTPError(.unsupportedMediaType, detail: "Send the body as application/json.")
        }
        do {
            return try JSONDecoder().decode(T.self, from: Data(body))
        } catch {
            throw HTTPError(.badRequest, detail: "The body is not valid JSON for this request.")
        }
    }

    static func isJSON(_ contentType: String) -> Bool {
        let mediaType = contentType.split(separator: ";", maxSplits: 1)[0].trimmingOWS().lowercased()
        return mediaType == "application/json" || (mediaType.hasPrefix("application/") && mediaType.hasSuffix("+json"))
    }
}

extension Response {
    /// A JSON response encoding `value`.
    public static func json(_ value: some Encodable, status: HTTPStatus = .ok) throws -> Response {
        .json(bytes: Array(try JSONEncoder.problem.encode(value)), status: status)
    }
}
