public import HTTPServer

/// A response as a raw client received it off the wire.
public struct HTTPTestResponse: Sendable {
    /// The status code, e.g. 200.
    public var status: Int
    /// The reason phrase, e.g. "OK".
    public var reasonPhrase: String
    /// The header fields in the order received.
    public var headers: HTTPHeaders
    /// The body bytes (empty for HEAD, 1xx, 204 and 304).
    public var body: [UInt8]

    /// The body as UTF-8 text.
    public var text: String { String(decoding: body, as: UTF8.self) }

    /// Whether the server announced it closes the connection after this response.
    public var closesConnection: Bool {
        headers.values(for: "Connection").contains { $0.lowercased().split(separator: ",").contains { $0.trimmed == "close" } }
    }

    /// Parses one response from the front of `buffer` and removes its bytes; nil while incomplete.
    ///
    /// Strict on purpose, so framing mistakes fail the test: a response that may carry a body must
    /// say how long it is (Content-Length or chunked); reading to the close is not accepted.
    /// - Parameter bodiless: The request was HEAD, so the body is omitted whatever the headers say.
    public static func parse(from buffer: inout [UInt8], bodiless: Bool = false) throws(TCPClientError) -> HTTPTestResponse? {
        guard let headEnd = Self.find([13, 10, 13, 10], in: buffer, from: 0) else {
            if buffer.count > 64 * 1024 { throw TCPClientError(.malformedResponse, "head longer than 64 KiB") }
            return nil
        }
        let lines = String(decoding: buffer[..<headEnd], as: UTF8.self).split(separator: "\r\n", omittingEmptySubsequences: false)
        let statusLine = lines[0]
        let parts = statusLine.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count >= 2, parts[0] == "HTTP/1.1", parts[1].utf8.count == 3, let status = Int(parts[1]) else {
            throw TCPClientError(.malformedResponse, "status line \(statusLine.debugDescription)")
        }
        var headers = HTTPHeaders()
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { throw TCPClientError(.malformedResponse, "field \(line.debugDescription)") }
            headers.add(name: String(line[..<colon]), value: String(line[line.index(after: colon)...].trimmed))
        }
        let bodyStart = headEnd + 4
        var response = HTTPTestResponse(
            status: status, reasonPhrase: parts.count > 2 ? String(parts[2]) : "", headers: headers, body: []
        )
        if bodiless || status < 200 || status == 204 || status == 304 {
            buffer.removeFirst(bodyStart)
            return response
        }
        if let length = headers["Content-Length"] {
            guard let length = Int(length), length >= 0, headers.values(for: "Content-Length").count == 1 else {
                throw TCPClientError(.malformedResponse, "Content-Length \(length)")
            }
            guard buffer.count - bodyStart >= length else { return nil }
            response.body = Array(buffer[bodyStart..<bodyStart + length])
            buffer.removeFirst(bodyStart + length)
            return response
        }
        guard headers["Transfer-Encoding"]?.lowercased() == "chunked" else {
            throw TCPClientError(.malformedResponse, "status \(status) without Content-Length or chunked framing")
        }
        guard let (body, end) = try Self.dechunk(buffer, from: bodyStart) else { return nil }
        response.body = body
        buffer.removeFirst(end)
        return response
    }

    private static func dechunk(_ buffer: [UInt8], from start: Int) throws(TCPClientError) -> ([UInt8], Int)? {
        var body: [UInt8] = []
        var position = start
        while true {
            guard let lineEnd = find([13, 10], in: buffer, from: position) else { return nil }
            let sizeText = String(decoding: buffer[position..<lineEnd], as: UTF8.self).split(separator: ";")[0]
            guard let size = Int(sizeText.trimmed, radix: 16) else { throw TCPClientError(.malformedResponse, "chunk size") }
            position = lineEnd + 2
            if size == 0 {
                guard let end = find([13, 10, 13, 10], in: buffer, from: position - 2) else { return nil }
                return (body, end + 4)
            }
            guard buffer.count >= position + size + 2 else { return nil }
            body.append(contentsOf: buffer[position..<position + size])
            position += size + 2
        }
    }

    static func find(_ needle: [UInt8], in buffer: [UInt8], from start: Int) -> Int? {
        guard buffer.count >= needle.count else { return nil }
        var index = start
        while index <= buffer.count - needle.count {
            if buffer[index] == needle[0] && buffer[index..<index + needle.count].elementsEqual(needle) { return index }
            index += 1
        }
        return nil
    }
}

extension StringProtocol {
    /// Without surrounding spaces and tabs.
    var trimmed: Substring {
        var slice = self[...]
        while let first = slice.first, first == " " || first == "\t" { slice = slice.dropFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice = slice.dropLast() }
        return Substring(slice)
    }
}
