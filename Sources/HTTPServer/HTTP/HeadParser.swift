/// Parses one complete request head (request line and field lines, CRLF-terminated) in one pass.
struct HeadParser {
    let buffer: UnsafeRawBufferPointer
    let start: Int
    let end: Int
    let limits: HTTPLimits

    private static let space = UInt8(ascii: " ")
    private static let tab = UInt8(ascii: "\t")
    private static let colon = UInt8(ascii: ":")

    func parse() throws(HTTPParseError) -> HTTPRequestHead {
        let requestLineEnd = lineEnd(from: start)
        var head = try parseRequestLine(start, requestLineEnd)

        var hostCount = 0
        var contentLength: Int?
        var transferCodings: [Substring] = []
        var sawTransferEncoding = false
        var connectionClose = false
        var connectionKeepAlive = false
        var expectsContinue = false

        var position = requestLineEnd + 2
        let headEnd = end - 2  // the final empty line
        while position < headEnd {
            let lineEnd = lineEnd(from: position)
            let field = try parseField(position, lineEnd)
            position = lineEnd + 2
            switch field.kind {
            case .host:
                hostCount += 1
                if hostCount > 1 { throw HTTPParseError(.repeatedHost) }
                try Self.validateHost(field.value)
            case .contentLength:
                if contentLength != nil { throw HTTPParseError(.repeatedContentLength) }
                contentLength = try Self.parseContentLength(field.value)
            case .transferEncoding:
                sawTransferEncoding = true
                for coding in field.value.split(separator: ",", omittingEmptySubsequences: false) {
                    transferCodings.append(coding.trimmingOWS())
                }
            case .connection:
                for option in field.value.split(separator: ",") {
                    let option = option.trimmingOWS()
                    if option.equalsASCIICaseInsensitive("close") { connectionClose = true }
                    if option.equalsASCIICaseInsensitive("keep-alive") { connectionKeepAlive = true }
                }
            case .expect:
                guard field.value.equalsASCIICaseInsensitive("100-continue") else {
                    throw HTTPParseError(.invalidExpectation)
                }
                expectsContinue = true
            case .other:
                break
            }
            head.headers.add(name: field.name, value: field.value)
        }

        let isHTTP11 = head.version == .http1_1
        if isHTTP11 && hostCount == 0 { throw HTTPParseError(.missingHost) }
        if sawTransferEncoding {
            // RFC 9112 §6.1: Transfer-Encoding in HTTP/1.0 means the framing is faulty.
            guard isHTTP11 else { throw HTTPParseError(.transferEncodingInHTTP10) }
            guard contentLength == nil else { throw HTTPParseError(.contentLengthWithTransferEncoding) }
            guard transferCodings.count == 1, transferCodings[0].equalsASCIICaseInsensitive("chunked") else {
                throw HTTPParseError(.unsupportedTransferCoding)
            }
            head.framing = .chunked
        } else if let contentLength {
            guard contentLength <= limits.maxBodyBytes else { throw HTTPParseError(.bodyTooLarge) }
            head.framing = contentLength > 0 ? .contentLength(contentLength) : .none
        }
        head.keepAlive = isHTTP11 ? !connectionClose : (connectionKeepAlive && !connectionClose)
        // RFC 9110 §10.1.1: an HTTP/1.0 client cannot understand 100 Continue.
        head.expectsContinue = expectsContinue && isHTTP11 && head.framing != .none
        return head
    }

    private func lineEnd(from position: Int) -> Int {
        var index = position
        while buffer[index] != UInt8(ascii: "\r") || buffer[index + 1] != UInt8(ascii: "\n") { index += 1 }
        return index
    }

    private func parseRequestLine(_ lineStart: Int, _ lineEnd: Int) throws(HTTPParseError) -> HTTPRequestHead {
        var methodEnd = lineStart
        while methodEnd < lineEnd && buffer[methodEnd] != Self.space {
            guard CharacterClass.isTokenCharacter(buffer[methodEnd]) else { throw HTTPParseError(.malformedRequestLine) }
            methodEnd += 1
        }
        guard methodEnd > lineStart, methodEnd < lineEnd else { throw HTTPParseError(.malformedRequestLine) }

        let targetStart = methodEnd + 1
        var targetEnd = targetStart
        while targetEnd < lineEnd && buffer[targetEnd] != Self.space {
            let byte = buffer[targetEnd]
            guard byte > 0x20 && byte < 0x7F else { throw HTTPParseError(.malformedRequestLine) }
            targetEnd += 1
        }
        guard targetEnd > targetStart, targetEnd < lineEnd else { throw HTTPParseError(.malformedRequestLine) }
        if targetEnd - targetStart > limits.maxTargetBytes { throw HTTPParseError(.targetTooLong) }

        let version = try parseVersion(targetEnd + 1, lineEnd)
        guard let method = HTTPMethod(bytes: UnsafeRawBufferPointer(rebasing: buffer[lineStart..<methodEnd])) else {
            throw HTTPParseError(.unknownMethod)
        }
        let (path, query) = try parseTarget(targetStart, targetEnd, method: method)
        return HTTPRequestHead(
            method: method, path: path, query: query, version: version, headers: HTTPHeaders(), framing: .none,
            keepAlive: true, expectsContinue: false
        )
    }

    private func parseVersion(_ versionStart: Int, _ lineEnd: Int) throws(HTTPParseError) -> HTTPVersion {
        guard lineEnd - versionStart == 8,
            buffer[versionStart] == UInt8(ascii: "H"), buffer[versionStart + 1] == UInt8(ascii: "T"),
            buffer[versionStart + 2] == UInt8(ascii: "T"), buffer[versionStart + 3] == UInt8(ascii: "P"),
            buffer[versionStart + 4] == UInt8(ascii: "/"), buffer[versionStart + 6] == UInt8(ascii: "."),
            CharacterClass.isDigit(buffer[versionStart + 5]), CharacterClass.isDigit(buffer[versionStart + 7])
        else { throw HTTPParseError(.malformedRequestLine) }
        let major = Int(buffer[versionStart + 5] - UInt8(ascii: "0"))
        let minor = Int(buffer[versionStart + 7] - UInt8(ascii: "0"))
        guard major == 1 else { throw HTTPParseError(.unsupportedVersion) }
        // RFC 9110 §2.5: a higher minor version is answered as the highest one we speak.
        return minor == 0 ? .http1_0 : .http1_1
    }

    /// Splits origin-form or absolute-form targets into path and query (RFC 9112 §3.2).
    private func parseTarget(_ targetStart: Int, _ targetEnd: Int, method: HTTPMethod) throws(HTTPParseError) -> (String, String?) {
        var pathStart = targetStart
        let first = buffer[targetStart]
        if first == UInt8(ascii: "*") {
            guard method == .options, targetEnd - targetStart == 1 else { throw HTTPParseError(.invalidTarget) }
            return ("*", nil)
        }
        if first != UInt8(ascii: "/") {
            pathStart = try absoluteFormPathStart(targetStart, targetEnd)
        }
        var queryStart = -1
        for index in pathStart..<targetEnd {
            let byte = buffer[index]
            if byte == UInt8(ascii: "#") { throw HTTPParseError(.invalidTarget) }
            if byte == UInt8(ascii: "?") && queryStart < 0 { queryStart = index }
        }
        let pathEnd = queryStart < 0 ? targetEnd : queryStart
        let path = pathStart == pathEnd ? "/" : string(pathStart, pathEnd)
        let query = queryStart < 0 ? nil : string(queryStart + 1, targetEnd)
        return (path, query)
    }

    private func absoluteFormPathStart(_ targetStart: Int, _ targetEnd: Int) throws(HTTPParseError) -> Int {
        let target = UnsafeRawBufferPointer(rebasing: buffer[targetStart..<targetEnd])
        let schemeLength: Int
        if target.starts(withASCIICaseInsensitive: "http://") {
            schemeLength = 7
        } else if target.starts(withASCIICaseInsensitive: "https://") {
            schemeLength = 8
        } else {
            throw HTTPParseError(.invalidTarget)
        }
        var index = targetStart + schemeLength
        while index < targetEnd && buffer[index] != UInt8(ascii: "/") && buffer[index] != UInt8(ascii: "?") {
            index += 1
        }
        guard index > targetStart + schemeLength else { throw HTTPParseError(.invalidTarget) }
        if index < targetEnd && buffer[index] == UInt8(ascii: "?") {
            throw HTTPParseError(.invalidTarget)
        }
        return index
    }

    private enum FieldKind { case host, contentLength, transferEncoding, connection, expect, other }

    private func parseField(_ lineStart: Int, _ lineEnd: Int) throws(HTTPParseError) -> (name: String, value: String, kind: FieldKind) {
        let first = buffer[lineStart]
        if first == Self.space || first == Self.tab { throw HTTPParseError(.obsoleteLineFolding) }
        var colon = lineStart
        while colon < lineEnd && buffer[colon] != Self.colon {
            let byte = buffer[colon]
            if byte == Self.space || byte == Self.tab {
                // RFC 9112 §5.1: whitespace between the name and the colon must be rejected with 400.
                throw HTTPParseError(.whitespaceBeforeColon)
            }
            guard CharacterClass.isTokenCharacter(byte) else { throw HTTPParseError(.invalidHeaderName) }
            colon += 1
        }
        guard colon > lineStart, colon < lineEnd else { throw HTTPParseError(.invalidHeaderName) }

        var valueStart = colon + 1
        var valueEnd = lineEnd
        while valueStart < valueEnd && (buffer[valueStart] == Self.space || buffer[valueStart] == Self.tab) { valueStart += 1 }
        while valueEnd > valueStart && (buffer[valueEnd - 1] == Self.space || buffer[valueEnd - 1] == Self.tab) { valueEnd -= 1 }
        for index in valueStart..<valueEnd where !CharacterClass.isFieldValueCharacter(buffer[index]) {
            throw HTTPParseError(.invalidHeaderValue)
        }
        let nameBytes = UnsafeRawBufferPointer(rebasing: buffer[lineStart..<colon])
        let kind: FieldKind
        switch nameBytes.count {
        case 4 where nameBytes.equalsASCIICaseInsensitive("host"): kind = .host
        case 6 where nameBytes.equalsASCIICaseInsensitive("expect"): kind = .expect
        case 10 where nameBytes.equalsASCIICaseInsensitive("connection"): kind = .connection
        case 14 where nameBytes.equalsASCIICaseInsensitive("content-length"): kind = .contentLength
        case 17 where nameBytes.equalsASCIICaseInsensitive("transfer-encoding"): kind = .transferEncoding
        default: kind = .other
        }
        return (string(lineStart, colon), string(valueStart, valueEnd), kind)
    }

    private func string(_ from: Int, _ to: Int) -> String {
        String(decoding: UnsafeRawBufferPointer(rebasing: buffer[from..<to]), as: UTF8.self)
    }

    static func parseContentLength(_ value: String) throws(HTTPParseError) -> Int {
        let utf8 = value.utf8
        guard !utf8.isEmpty, utf8.count <= 18 else { throw HTTPParseError(.invalidContentLength) }
        var result = 0
        for byte in utf8 {
            guard CharacterClass.isDigit(byte) else { throw HTTPParseError(.invalidContentLength) }
            result = result * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return result
    }

    /// Host is `uri-host [ ":" port ]`: a reg-name, IPv4 or bracketed IPv6 literal (RFC 9110 §7.2).
    static func validateHost(_ value: String) throws(HTTPParseError) {
        for byte in value.utf8 {
            let allowed = CharacterClass.isUnreserved(byte) || CharacterClass.isSubDelimiter(byte)
                || byte == UInt8(ascii: ":") || byte == UInt8(ascii: "[") || byte == UInt8(ascii: "]")
                || byte == UInt8(ascii: "%")
            guard allowed else { throw HTTPParseError(.invalidHost) }
        }
    }
}
