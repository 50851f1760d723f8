/// Serialises responses into wire bytes.
enum ResponseEncoder {
    private static let statusLines: [Int: [UInt8]] = Dictionary(
        uniqueKeysWithValues: HTTPStatus.standardPhrases.map { code, phrase in (code, Array("HTTP/1.1 \(code) \(phrase)\r\n".utf8)) }
    )

    /// Appends the head and, unless `omitBody`, the body of `response` to `buffer`.
    ///
    /// - Parameters:
    ///   - keepAlive: Whether the connection stays open; false adds `Connection: close`.
    ///   - http10KeepAlive: An HTTP/1.0 client asked for keep-alive and gets it, so say so.
    ///   - omitBody: A HEAD request: send `Content-Length` of the body but not the body.
    static func encode(
        _ response: Response, keepAlive: Bool, http10KeepAlive: Bool, omitBody: Bool, requestID: String?, into buffer: inout [UInt8]
    ) {
        let status = response.status
        if let line = statusLines[status.code], status.reasonPhrase == HTTPStatus.standardPhrases[status.code] {
            buffer.append(contentsOf: line)
        } else {
            buffer.append(contentsOf: "HTTP/1.1 \(status.code) \(status.reasonPhrase)\r\n".utf8)
        }
        buffer.append(contentsOf: "Date: ".utf8)
        DateCache.append(to: &buffer)
        buffer.append(contentsOf: "\r\n".utf8)
        if status.allowsBody {
            buffer.append(contentsOf: "Content-Length: ".utf8)
            appendDecimal(response.body.count, to: &buffer)
            buffer.append(contentsOf: "\r\n".utf8)
        }
        if !keepAlive {
            buffer.append(contentsOf: "Connection: close\r\n".utf8)
        } else if http10KeepAlive {
            buffer.append(contentsOf: "Connection: keep-alive\r\n".utf8)
        }
        if let requestID {
            buffer.append(contentsOf: "X-Request-ID: ".utf8)
            buffer.append(contentsOf: requestID.utf8)
            buffer.append(contentsOf: "\r\n".utf8)
        }
        for field in response.headers {
            buffer.append(contentsOf: field.name.utf8)
            buffer.append(contentsOf: ": ".utf8)
            buffer.append(contentsOf: field.value.utf8)
            buffer.append(contentsOf: "\r\n".utf8)
        }
        buffer.append(contentsOf: "\r\n".utf8)
        if !omitBody && status.allowsBody {
            buffer.append(contentsOf: response.body)
        }
    }

    static func appendDecimal(_ value: Int, to buffer: inout [UInt8]) {
        if value < 10 {
            buffer.append(UInt8(ascii: "0") + UInt8(value))
            return
        }
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        var remaining = value
        withUnsafeMutableBytes(of: &digits) { digits in
            while remaining > 0 {
                digits[count] = UInt8(ascii: "0") + UInt8(remaining % 10)
                remaining /= 10
                count += 1
            }
            for index in stride(from: count - 1, through: 0, by: -1) { buffer.append(digits[index]) }
        }
    }
}
