import Glibc

/// A strict, incremental HTTP/1.1 request parser (RFC 9112).
///
/// The parser reads from the start of one request in a growing buffer. It scans the head line by
/// line as bytes arrive, so a bad line is rejected at once rather than after a timeout, then parses
/// the complete head in one pass and frames the body. Anything ambiguous is an error: bare LF,
/// obs-fold, whitespace before a colon, Content-Length with Transfer-Encoding, repeated or
/// malformed Content-Length, unknown transfer codings.
struct HTTPRequestParser {
    /// What one call to ``parse(_:)`` found.
    enum Result {
        /// The request is incomplete; call again when more bytes arrive.
        case needMore
        /// The head is complete and the body is still arriving; `expectsContinue` asks for `100 Continue`.
        case awaitingBody(expectsContinue: Bool)
        /// A whole request: its head, its body, and how many bytes of the buffer it used.
        case complete(HTTPRequestHead, body: [UInt8], consumed: Int)
        /// The request is invalid; answer with the error's status and close.
        case failed(HTTPParseError)
    }

    private enum Stage {
        case head
        case body(HTTPRequestHead, bodyStart: Int)
        case chunked(HTTPRequestHead, ChunkedBodyDecoder)
    }

    let limits: HTTPLimits
    private var stage = Stage.head
    private var scanned = 0
    private var lineStart = 0
    private var requestLineStart = -1
    private var lineCount = 0
    /// How far the method of the request line still arriving has been checked (a buffer offset).
    private var methodChecked = 0

    /// Creates a parser for one request.
    init(limits: HTTPLimits) {
        self.limits = limits
    }

    /// Parses as much of the request at the start of `buffer` as has arrived.
    mutating func parse(_ buffer: UnsafeRawBufferPointer) -> Result {
        do throws(HTTPParseError) {
            switch stage {
            case .head:
                guard let headEnd = try scanHead(buffer) else { return .needMore }
                let head = try HeadParser(buffer: buffer, start: requestLineStart, end: headEnd, limits: limits).parse()
                switch head.framing {
                case .none:
                    return .complete(head, body: [], consumed: headEnd)
                case .contentLength(let length):
                    stage = .body(head, bodyStart: headEnd)
                    if buffer.count - headEnd >= length {
                        return .complete(head, body: Array(buffer[headEnd..<headEnd + length]), consumed: headEnd + length)
                    }
                    return .awaitingBody(expectsContinue: head.expectsContinue)
                case .chunked:
                    var decoder = ChunkedBodyDecoder(offset: headEnd, limits: limits)
                    if let consumed = try decoder.decode(buffer) {
                        return .complete(head, body: decoder.body, consumed: consumed)
                    }
                    stage = .chunked(head, decoder)
                    return .awaitingBody(expectsContinue: head.expectsContinue)
                }
            case .body(let head, let bodyStart):
                guard case .contentLength(let length) = head.framing, buffer.count - bodyStart >= length else {
                    return .needMore
                }
                return .complete(head, body: Array(buffer[bodyStart..<bodyStart + length]), consumed: bodyStart + length)
            case .chunked(let head, var decoder):
                if let consumed = try decoder.decode(buffer) {
                    return .complete(head, body: decoder.body, consumed: consumed)
                }
                stage = .chunked(head, decoder)
                return .needMore
            }
        } catch {
            return .failed(error)
        }
    }

    /// Whether any byte of a request has been seen beyond leading empty lines.
    var hasStartedRequest: Bool {
        if case .head = stage { return requestLineStart >= 0 || scanned > lineStart }
        return true
    }

    /// Whether the head is complete and only the body is still arriving.
    var isReadingBody: Bool {
        if case .head = stage { return false }
        return true
    }

    /// The longest request line a target within the limit can make: the method, two spaces and the version take
    /// well under 32 bytes.
    private var maxRequestLineBytes: Int { limits.maxTargetBytes + 32 }

    /// Finds the end of the head, checking each line's terminator and the size limits as bytes arrive.
    private mutating func scanHead(_ buffer: UnsafeRawBufferPointer) throws(HTTPParseError) -> Int? {
        let count = buffer.count
        var index = scanned
        while index < count {
            guard let newline = Self.firstNewline(in: buffer, from: index) else {
                index = count
                break
            }
            if newline == 0 || buffer[newline - 1] != UInt8(ascii: "\r") { throw HTTPParseError(.bareLineFeed) }
            let lineLength = newline - 1 - lineStart
            index = newline + 1
            if lineLength == 0 {
                if requestLineStart >= 0 {
                    scanned = index
                    if index - requestLineStart > limits.maxHeadBytes { throw HTTPParseError(.headerSectionTooLarge) }
                    return index
                }
                // RFC 9112 §2.2: ignore empty lines before the request line, but not forever.
                guard index <= 8 else { throw HTTPParseError(.malformedRequestLine) }
                lineStart = index
                continue
            }
            if requestLineStart < 0 {
                // Checked here too, before the section's size makes it 431: a long target is 414 however the bytes
                // were split.
                if lineLength > maxRequestLineBytes { throw HTTPParseError(.targetTooLong) }
                try checkMethod(buffer, lineEnd: newline - 1)
                requestLineStart = lineStart
            } else {
                lineCount += 1
                if lineCount > limits.maxHeaderCount { throw HTTPParseError(.tooManyHeaderFields) }
                if lineLength > limits.maxFieldLineBytes { throw HTTPParseError(.fieldLineTooLong) }
            }
            lineStart = index
        }
        scanned = index
        if requestLineStart < 0 {
            // Still in the request line: a long one is a long target (414), not a large head (431).
            if count - lineStart > maxRequestLineBytes { throw HTTPParseError(.targetTooLong) }
            try checkMethod(buffer, lineEnd: count)
        } else if count - requestLineStart > limits.maxHeadBytes {
            throw HTTPParseError(.headerSectionTooLarge)
        } else if count - lineStart > limits.maxFieldLineBytes + 1 {
            // A field line still arriving is already too long (the + 1 leaves room for its CR).
            throw HTTPParseError(.fieldLineTooLong)
        }
        return nil
    }

    /// Refuses a request line whose method has a byte no method token can hold, as soon as that byte arrives.
    ///
    /// A TLS ClientHello sent to the plain port (it begins with 0x16) or binary garbage has no line end to wait for:
    /// without this check it would wait for the header timeout. Leading empty lines (RFC 9112 §2.2) still pass: a CR
    /// that ends the bytes so far is checked again when the next one arrives.
    private mutating func checkMethod(_ buffer: UnsafeRawBufferPointer, lineEnd: Int) throws(HTTPParseError) {
        var index = max(methodChecked, lineStart)
        while index < lineEnd {
            let byte = buffer[index]
            if byte == UInt8(ascii: " ") {
                methodChecked = Int.max
                return
            }
            if byte == UInt8(ascii: "\r") && index == buffer.count - 1 { break }
            guard CharacterClass.isTokenCharacter(byte) else { throw HTTPParseError(.malformedRequestLine) }
            index += 1
        }
        methodChecked = index
    }

    private static func firstNewline(in buffer: UnsafeRawBufferPointer, from start: Int) -> Int? {
        guard start < buffer.count, let base = buffer.baseAddress else { return nil }
        guard let found = memchr(base + start, 0x0A, buffer.count - start) else { return nil }
        return UnsafeRawPointer(found) - base
    }
}
