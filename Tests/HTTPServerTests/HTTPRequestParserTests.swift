import Testing

@testable import HTTPServer

/// One request the parser must refuse, with the exact code and status.
struct Rejection: Sendable, CustomTestStringConvertible {
    let name: String
    let request: String
    let code: HTTPParseError.Code
    let status: Int
    var limits = HTTPLimits()

    var testDescription: String { name }
}

@Suite("HTTPRequestParser")
struct HTTPRequestParserTests {
    static let rejections: [Rejection] = [
        // Request line (RFC 9112 §3)
        // Stopped before the line or section ends: a client streaming an endless target or header is not waited for.
        Rejection(name: "endless request line", request: "GET /" + String(repeating: "a", count: 9000), code: .targetTooLong, status: 414),
        Rejection(
            name: "endless header section",
            request: "GET / HTTP/1.1\r\nHost: a\r\n" + String(repeating: "X: " + String(repeating: "b", count: 4000) + "\r\n", count: 5),
            code: .headerSectionTooLarge, status: 431
        ),
        Rejection(
            name: "endless field line", request: "GET / HTTP/1.1\r\nHost: a\r\nX: " + String(repeating: "b", count: 9 * 1024),
            code: .fieldLineTooLong, status: 431
        ),
        Rejection(name: "double space after method", request: "GET  / HTTP/1.1\r\nHost: a\r\n\r\n", code: .malformedRequestLine, status: 400),
        Rejection(name: "no version", request: "GET /\r\nHost: a\r\n\r\n", code: .malformedRequestLine, status: 400),
        Rejection(name: "extra token", request: "GET / HTTP/1.1 x\r\nHost: a\r\n\r\n", code: .malformedRequestLine, status: 400),
        Rejection(name: "lowercase protocol", request: "GET / http/1.1\r\nHost: a\r\n\r\n", code: .malformedRequestLine, status: 400),
        Rejection(name: "two-digit minor", request: "GET / HTTP/1.10\r\nHost: a\r\n\r\n", code: .malformedRequestLine, status: 400),
        Rejection(name: "non-token method", request: "G(T / HTTP/1.1\r\nHost: a\r\n\r\n", code: .malformedRequestLine, status: 400),
        Rejection(name: "NUL in target", request: "GET /a\0b HTTP/1.1\r\nHost: a\r\n\r\n", code: .malformedRequestLine, status: 400),
        Rejection(name: "tab separator", request: "GET\t/ HTTP/1.1\r\nHost: a\r\n\r\n", code: .malformedRequestLine, status: 400),
        Rejection(
            name: "too many leading empty lines", request: "\r\n\r\n\r\n\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n",
            code: .malformedRequestLine, status: 400
        ),
        // Bytes that cannot begin a method are refused before any line end arrives (none may ever come).
        Rejection(name: "TLS ClientHello", request: "\u{16}\u{03}\u{01}\u{02}\u{00}\u{01}\u{00}\u{01}", code: .malformedRequestLine, status: 400),
        Rejection(name: "NUL first", request: "\0", code: .malformedRequestLine, status: 400),
        Rejection(name: "control byte in the method", request: "GE\u{01}T", code: .malformedRequestLine, status: 400),
        Rejection(name: "garbage after an empty line", request: "\r\n\u{80}", code: .malformedRequestLine, status: 400),
        Rejection(name: "CR inside the method", request: "GE\rT", code: .malformedRequestLine, status: 400),
        Rejection(name: "HTTP/2.0", request: "GET / HTTP/2.0\r\nHost: a\r\n\r\n", code: .unsupportedVersion, status: 505),
        Rejection(name: "HTTP/0.9", request: "GET / HTTP/0.9\r\nHost: a\r\n\r\n", code: .unsupportedVersion, status: 505),
        Rejection(name: "HTTP/3.0", request: "GET / HTTP/3.0\r\nHost: a\r\n\r\n", code: .unsupportedVersion, status: 505),
        Rejection(name: "unknown method FOO", request: "FOO / HTTP/1.1\r\nHost: a\r\n\r\n", code: .unknownMethod, status: 501),
        // Methods are case-sensitive tokens (RFC 9110 §9.1): `get` is valid syntax but not a method we implement.
        Rejection(name: "lowercase get", request: "get / HTTP/1.1\r\nHost: a\r\n\r\n", code: .unknownMethod, status: 501),
        Rejection(name: "CONNECT", request: "CONNECT a:443 HTTP/1.1\r\nHost: a\r\n\r\n", code: .unknownMethod, status: 501),
        Rejection(name: "TRACE", request: "TRACE / HTTP/1.1\r\nHost: a\r\n\r\n", code: .unknownMethod, status: 501),
        Rejection(
            name: "target over the limit", request: "GET /\(String(repeating: "a", count: 8192)) HTTP/1.1\r\nHost: a\r\n\r\n",
            code: .targetTooLong, status: 414
        ),
        Rejection(
            name: "target longer than the head limit, all at once",
            request: "GET /?\(String(repeating: "limit=true&", count: 2000)) HTTP/1.1\r\nHost: a\r\n\r\n", code: .targetTooLong, status: 414
        ),
        Rejection(name: "* for GET", request: "GET * HTTP/1.1\r\nHost: a\r\n\r\n", code: .invalidTarget, status: 400),
        Rejection(name: "*x for OPTIONS", request: "OPTIONS *x HTTP/1.1\r\nHost: a\r\n\r\n", code: .invalidTarget, status: 400),
        Rejection(name: "fragment", request: "GET /a#frag HTTP/1.1\r\nHost: a\r\n\r\n", code: .invalidTarget, status: 400),
        Rejection(name: "fragment in query", request: "GET /a?b#c HTTP/1.1\r\nHost: a\r\n\r\n", code: .invalidTarget, status: 400),
        Rejection(name: "relative target", request: "GET a/b HTTP/1.1\r\nHost: a\r\n\r\n", code: .invalidTarget, status: 400),
        Rejection(name: "absolute-form without host", request: "GET http:///a HTTP/1.1\r\nHost: a\r\n\r\n", code: .invalidTarget, status: 400),
        Rejection(name: "other scheme", request: "GET ftp://a/b HTTP/1.1\r\nHost: a\r\n\r\n", code: .invalidTarget, status: 400),
        // Header section (RFC 9112 §5, RFC 6585 §5)
        Rejection(
            name: "header section too large",
            request: "GET / HTTP/1.1\r\nHost: a\r\n" + (1...5).map { "X-\($0): \(String(repeating: "b", count: 4000))\r\n" }.joined() + "\r\n",
            code: .headerSectionTooLarge, status: 431
        ),
        // One line over 8 KiB: nginx's limit (large_client_header_buffers), so nothing nginx refuses gets through here.
        Rejection(
            name: "field line too long",
            request: "GET / HTTP/1.1\r\nHost: a\r\nCookie: \(String(repeating: "c", count: 8 * 1024 - 7))\r\n\r\n",
            code: .fieldLineTooLong, status: 431
        ),
        Rejection(
            name: "trailer line too long",
            request: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX: \(String(repeating: "t", count: 8 * 1024))\r\n\r\n",
            code: .fieldLineTooLong, status: 431
        ),
        Rejection(
            name: "too many fields",
            request: "GET / HTTP/1.1\r\nHost: a\r\n" + (1...1000).map { "X\($0):\r\n" }.joined() + "\r\n",
            code: .tooManyHeaderFields, status: 431
        ),
        // The section's size, not the count, bounds fields of realistic length: 200 of 100 bytes are 20 KB.
        Rejection(
            name: "many long fields",
            request: "GET / HTTP/1.1\r\nHost: a\r\n" + (1...200).map { "X-\($0): \(String(repeating: "v", count: 90))\r\n" }.joined()
                + "\r\n",
            code: .headerSectionTooLarge, status: 431
        ),
        Rejection(name: "missing Host in 1.1", request: "GET / HTTP/1.1\r\nAccept: */*\r\n\r\n", code: .missingHost, status: 400),
        Rejection(name: "repeated Host", request: "GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n", code: .repeatedHost, status: 400),
        Rejection(name: "repeated Host, any case", request: "GET / HTTP/1.1\r\nHost: a\r\nhOST: b\r\n\r\n", code: .repeatedHost, status: 400),
        Rejection(name: "invalid Host", request: "GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", code: .invalidHost, status: 400),
        Rejection(name: "space before colon", request: "GET / HTTP/1.1\r\nHost : a\r\n\r\n", code: .whitespaceBeforeColon, status: 400),
        Rejection(name: "tab before colon", request: "GET / HTTP/1.1\r\nHost\t: a\r\n\r\n", code: .whitespaceBeforeColon, status: 400),
        Rejection(name: "obs-fold", request: "GET / HTTP/1.1\r\nHost: a\r\nX: b\r\n  c\r\n\r\n", code: .obsoleteLineFolding, status: 400),
        Rejection(name: "obs-fold with tab", request: "GET / HTTP/1.1\r\nHost: a\r\nX: b\r\n\tc\r\n\r\n", code: .obsoleteLineFolding, status: 400),
        Rejection(name: "NUL in value", request: "GET / HTTP/1.1\r\nHost: a\r\nX: a\0b\r\n\r\n", code: .invalidHeaderValue, status: 400),
        Rejection(name: "DEL in value", request: "GET / HTTP/1.1\r\nHost: a\r\nX: a\u{7F}b\r\n\r\n", code: .invalidHeaderValue, status: 400),
        Rejection(name: "CR in value", request: "GET / HTTP/1.1\r\nHost: a\r\nX: a\rb\r\n\r\n", code: .invalidHeaderValue, status: 400),
        Rejection(name: "ESC in value", request: "GET / HTTP/1.1\r\nHost: a\r\nX: a\u{1B}b\r\n\r\n", code: .invalidHeaderValue, status: 400),
        Rejection(name: "empty field name", request: "GET / HTTP/1.1\r\nHost: a\r\n: b\r\n\r\n", code: .invalidHeaderName, status: 400),
        Rejection(name: "no colon", request: "GET / HTTP/1.1\r\nHost: a\r\nNoColon\r\n\r\n", code: .invalidHeaderName, status: 400),
        Rejection(name: "non-token name", request: "GET / HTTP/1.1\r\nHost: a\r\nX(y): b\r\n\r\n", code: .invalidHeaderName, status: 400),
        Rejection(name: "bare LF everywhere", request: "GET / HTTP/1.1\nHost: a\n\n", code: .bareLineFeed, status: 400),
        Rejection(name: "bare LF ending a field", request: "GET / HTTP/1.1\r\nHost: a\nX: b\r\n\r\n", code: .bareLineFeed, status: 400),
        Rejection(name: "bare LF ending the head", request: "GET / HTTP/1.1\r\nHost: a\r\n\n", code: .bareLineFeed, status: 400),
        Rejection(name: "bare LF before request", request: "\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", code: .bareLineFeed, status: 400),
        // Framing (RFC 9112 §6): never guess
        Rejection(
            name: "Content-Length with Transfer-Encoding",
            request: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
            code: .contentLengthWithTransferEncoding, status: 400
        ),
        Rejection(
            name: "Transfer-Encoding with Content-Length",
            request: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n",
            code: .contentLengthWithTransferEncoding, status: 400
        ),
        Rejection(name: "CL -1", request: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n", code: .invalidContentLength, status: 400),
        Rejection(name: "CL 1,1", request: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1,1\r\n\r\nx", code: .invalidContentLength, status: 400),
        Rejection(name: "CL +5", request: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +5\r\n\r\nhello", code: .invalidContentLength, status: 400),
        Rejection(name: "CL ' 5x'", request: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length:  5x\r\n\r\nhello", code: .invalidContentLength, status: 400),
        Rejection(name: "CL hex", request: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0x5\r\n\r\nhello", code: .invalidContentLength, status: 400),
        Rejection(name: "CL empty", request: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: \r\n\r\n", code: .invalidContentLength, status: 400),
        Rejection(
            name: "CL overflow", request: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999\r\n\r\n",
            code: .invalidContentLength, status: 400
        ),
        Rejection(
            name: "CL repeated, same value", request: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello",
            code: .repeatedContentLength, status: 400
        ),
        Rejection(
            name: "CL differing", request: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
            code: .repeatedContentLength, status: 400
        ),
        Rejection(
            name: "TE gzip", request: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n",
            code: .unsupportedTransferCoding, status: 400
        ),
        Rejection(
            name: "TE chunked, chunked", request: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n",
            code: .unsupportedTransferCoding, status: 400
        ),
        Rejection(
            name: "TE identity", request: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: identity\r\n\r\n",
            code: .unsupportedTransferCoding, status: 400
        ),
        Rejection(
            name: "TE gzip, chunked", request: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
            code: .unsupportedTransferCoding, status: 400
        ),
        Rejection(
            name: "TE chunked in two fields",
            request: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
            code: .unsupportedTransferCoding, status: 400
        ),
        Rejection(
            name: "TE empty", request: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: \r\n\r\n",
            code: .unsupportedTransferCoding, status: 400
        ),
        Rejection(
            name: "TE in HTTP/1.0", request: "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
            code: .transferEncodingInHTTP10, status: 400
        ),
        Rejection(
            name: "Content-Length over the limit", request: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1048577\r\n\r\n",
            code: .bodyTooLarge, status: 413
        ),
        Rejection(
            name: "chunked body over the limit",
            request: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n8\r\n12345678\r\n3\r\nabc\r\n0\r\n\r\n",
            code: .bodyTooLarge, status: 413, limits: HTTPLimits(maxBodyBytes: 10)
        ),
        Rejection(
            name: "chunk size zz", request: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
            code: .invalidChunkSize, status: 400
        ),
        Rejection(
            name: "chunk size overflow",
            request: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n10000000000000000\r\n",
            code: .invalidChunkSize, status: 400
        ),
        Rejection(
            name: "chunk size negative", request: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n-1\r\n",
            code: .invalidChunkSize, status: 400
        ),
        Rejection(
            name: "chunk size then junk", request: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5 x\r\nhello\r\n0\r\n\r\n",
            code: .invalidChunkSize, status: 400
        ),
        Rejection(
            name: "chunk size empty", request: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n\r\n",
            code: .invalidChunkSize, status: 400
        ),
        Rejection(
            name: "missing CRLF after chunk data",
            request: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloX\r\n0\r\n\r\n",
            code: .invalidChunkFraming, status: 400
        ),
        Rejection(
            name: "bare LF after chunk size", request: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\nhello\r\n0\r\n\r\n",
            code: .bareLineFeed, status: 400
        ),
        Rejection(
            name: "obs-fold in trailer",
            request: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nT: a\r\n b\r\n\r\n",
            code: .obsoleteLineFolding, status: 400
        ),
        Rejection(
            name: "chunk extension too long",
            request: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;\(String(repeating: "e", count: 5000))\r\nhello\r\n0\r\n\r\n",
            code: .chunkExtensionTooLong, status: 400
        ),
        Rejection(
            name: "Expect other than 100-continue", request: "POST / HTTP/1.1\r\nHost: a\r\nExpect: 200-ok\r\nContent-Length: 1\r\n\r\nx",
            code: .invalidExpectation, status: 417
        ),
    ]

    @Test("rejects with the exact status", arguments: rejections)
    func rejects(_ rejection: Rejection) {
        let outcome = Parse.whole(rejection.request, limits: rejection.limits)
        #expect(outcome == .failed(rejection.code))
        #expect(outcome.status == rejection.status)
    }

    @Test("rejects the same way when fed byte by byte", arguments: rejections)
    func rejectsByteByByte(_ rejection: Rejection) {
        let outcome = Parse.byteByByte(Array(rejection.request.utf8), limits: rejection.limits)
        #expect(outcome == .failed(rejection.code))
        #expect(outcome.status == rejection.status)
    }

    @Test func limitsAreConfiguration() {
        let limits = HTTPLimits(maxTargetBytes: 10, maxHeadBytes: 100, maxHeaderCount: 2, maxBodyBytes: 3)
        #expect(Parse.whole("GET /0123456789 HTTP/1.1\r\nHost: a\r\n\r\n", limits: limits) == .failed(.targetTooLong))
        #expect(Parse.whole("GET /012345678 HTTP/1.1\r\nHost: a\r\n\r\n", limits: limits).summary != nil)
        #expect(Parse.whole("GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\n\r\n", limits: limits) == .failed(.tooManyHeaderFields))
        let lines = HTTPLimits(maxFieldLineBytes: 10)
        #expect(Parse.whole("GET / HTTP/1.1\r\nHost: a\r\nA: 12345678\r\n\r\n", limits: lines) == .failed(.fieldLineTooLong))
        #expect(Parse.whole("GET / HTTP/1.1\r\nHost: a\r\nA: 1234567\r\n\r\n", limits: lines).summary != nil, "10 bytes: at the limit")
        #expect(Parse.whole("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n\r\nabcd", limits: limits) == .failed(.bodyTooLarge))
        #expect(Parse.whole("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc", limits: limits).summary?.body == Array("abc".utf8))
    }

    // MARK: Accepted requests

    @Test func simpleGet() throws {
        let request = "GET /items/1?x=1&y=2 HTTP/1.1\r\nHost: example.com:8080\r\nAccept: */*\r\n\r\n"
        let summary = try #require(Parse.whole(request).summary)
        #expect(summary.method == .get)
        #expect(summary.path == "/items/1")
        #expect(summary.query == "x=1&y=2")
        #expect(summary.version == .http1_1)
        #expect(summary.fields == ["Host: example.com:8080", "Accept: */*"])
        #expect(summary.framing == .none)
        #expect(summary.keepAlive)
        #expect(summary.body.isEmpty)
        #expect(summary.consumed == request.utf8.count)
    }

    @Test func fieldValuesLoseSurroundingWhitespaceOnly() throws {
        let summary = try #require(Parse.whole("GET / HTTP/1.1\r\nHost:a\r\nX: \t a  b \t\r\nY:\r\n\r\n").summary)
        #expect(summary.fields == ["Host: a", "X: a  b", "Y: "])
    }

    @Test func head() throws {
        let summary = try #require(Parse.whole("HEAD /x HTTP/1.1\r\nHost: a\r\n\r\n").summary)
        #expect(summary.method == .head)
        #expect(summary.path == "/x")
        #expect(summary.framing == .none)
    }

    @Test func absoluteFormTargetIsAccepted() throws {
        let summary = try #require(Parse.whole("GET http://example.com:8080/a/b?c=d HTTP/1.1\r\nHost: example.com\r\n\r\n").summary)
        #expect(summary.path == "/a/b")
        #expect(summary.query == "c=d")
        let bare = try #require(Parse.whole("GET HTTPS://example.com HTTP/1.1\r\nHost: example.com\r\n\r\n").summary)
        #expect(bare.path == "/")
        #expect(bare.query == nil)
    }

    @Test func asteriskFormOnlyForOptions() throws {
        let summary = try #require(Parse.whole("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n").summary)
        #expect(summary.method == .options)
        #expect(summary.path == "*")
        #expect(Parse.whole("DELETE * HTTP/1.1\r\nHost: a\r\n\r\n") == .failed(.invalidTarget))
    }

    @Test(
        "a request line still arriving waits while it can begin a request",
        arguments: ["\r", "\r\n", "\r\n\r", "G", "GET", "GET\r", "GET /", "GET /a\u{01}b", "\r\nGET / HTTP/1.1\r"]
    )
    func plausibleStartWaits(_ prefix: String) {
        #expect(Parse.whole(prefix) == .incomplete)
        #expect(Parse.byteByByte(Array(prefix.utf8)) == .incomplete)
    }

    @Test func aHundredFieldsAndHostFitTheDefaults() throws {
        let fields = (1...100).map { "X-Field-\($0): value-\($0)\r\n" }.joined()
        let summary = try #require(Parse.whole("GET / HTTP/1.1\r\nHost: a\r\n\(fields)\r\n").summary)
        #expect(summary.fields.count == 101)
    }

    @Test func leadingEmptyLinesAreTolerated() throws {
        let request = "\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n"
        let summary = try #require(Parse.whole(request).summary)
        #expect(summary.path == "/")
        #expect(summary.consumed == request.utf8.count)
    }

    @Test func emptyQueryIsPresentButEmpty() throws {
        #expect(try #require(Parse.whole("GET /a? HTTP/1.1\r\nHost: a\r\n\r\n").summary).query == "")
        #expect(try #require(Parse.whole("GET /a?b?c HTTP/1.1\r\nHost: a\r\n\r\n").summary).query == "b?c")
    }

    @Test func higherMinorVersionIsServedAsHTTP11() throws {
        #expect(try #require(Parse.whole("GET / HTTP/1.2\r\nHost: a\r\n\r\n").summary).version == .http1_1)
    }

    @Test func contentLengthBody() throws {
        let request = "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello"
        let summary = try #require(Parse.whole(request + "GET / HTTP/1.1\r\n").summary)
        #expect(summary.framing == .contentLength(5))
        #expect(summary.body == Array("hello".utf8))
        #expect(summary.consumed == request.utf8.count)
    }

    @Test func zeroContentLengthHasNoBody() throws {
        let summary = try #require(Parse.whole("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 000\r\n\r\n").summary)
        #expect(summary.framing == .none)
        #expect(summary.body.isEmpty)
    }

    @Test func chunkedBodyWithExtensionsAndTrailers() throws {
        let request =
            "POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: Chunked\r\n\r\n"
            + "5;name=value\r\nhello\r\n6 ; a=\"b c\"\r\n world\r\nA\r\n0123456789\r\n0\r\nX-Trailer: t\r\nY: u\r\n\r\n"
        let summary = try #require(Parse.whole(request + "GET /next HTTP/1.1\r\n").summary)
        #expect(summary.framing == .chunked)
        #expect(String(decoding: summary.body, as: UTF8.self) == "hello world0123456789")
        #expect(summary.consumed == request.utf8.count)
    }

    @Test func chunkedBodyWaitsForTheLastChunkAndTrailers() {
        let head = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
        #expect(Parse.whole(head + "5\r\nhello\r\n") == .incomplete)
        #expect(Parse.whole(head + "5\r\nhello\r\n0\r\n") == .incomplete)
        #expect(Parse.whole(head + "5\r\nhello\r\n0\r\nT: 1\r\n") == .incomplete)
        #expect(Parse.whole(head + "5\r\nhello\r\n0\r\n\r\n").summary?.body == Array("hello".utf8))
    }

    @Test(
        "HTTP/1.0 and 1.1 keep-alive semantics",
        arguments: [
            ("GET / HTTP/1.0\r\n\r\n", false),
            ("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", true),
            ("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", true),
            ("GET / HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n", false),
            ("GET / HTTP/1.1\r\nHost: a\r\n\r\n", true),
            ("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", false),
            ("GET / HTTP/1.1\r\nHost: a\r\nConnection: Upgrade, CLOSE\r\n\r\n", false),
            ("GET / HTTP/1.1\r\nHost: a\r\nConnection: closed\r\n\r\n", true),
        ]
    )
    func keepAlive(_ request: String, _ keepAlive: Bool) throws {
        #expect(try #require(Parse.whole(request).summary).keepAlive == keepAlive)
    }

    @Test func http10NeedsNoHost() throws {
        #expect(try #require(Parse.whole("GET / HTTP/1.0\r\n\r\n").summary).version == .http1_0)
    }

    @Test func expectContinue() throws {
        let head = "POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-Continue\r\nContent-Length: 3\r\n\r\n"
        var parser = HTTPRequestParser(limits: HTTPLimits())
        let waiting = Array(head.utf8).withUnsafeBytes { parser.parse($0) }
        guard case .awaitingBody(let expectsContinue) = waiting else {
            Issue.record("expected awaitingBody, got \(waiting)")
            return
        }
        #expect(expectsContinue)
        let summary = try #require(ParseOutcome(Array((head + "abc").utf8).withUnsafeBytes { parser.parse($0) }).summary)
        #expect(summary.expectsContinue)
        #expect(summary.body == Array("abc".utf8))
        // Without a body there is nothing to wait for; an HTTP/1.0 client cannot understand 100 Continue.
        #expect(try #require(Parse.whole("GET / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\n\r\n").summary).expectsContinue == false)
        let http10 = "POST / HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\nx"
        #expect(try #require(Parse.whole(http10).summary).expectsContinue == false)
    }

    @Test func incompleteHeadNeedsMore() {
        #expect(Parse.whole("GET / HTTP/1.1\r\nHost: a\r\n") == .incomplete)
        #expect(Parse.whole("\r\n") == .incomplete)
        #expect(Parse.whole("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhell") == .incomplete)
    }

    // MARK: Packetisation must not matter

    static let splitCorpus: [(String, HTTPLimits)] = [
        ("GET /a?b=c HTTP/1.1\r\nHost: a\r\nX: y\r\n\r\n", HTTPLimits()),
        ("\r\nGET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", HTTPLimits()),
        ("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\nhello world", HTTPLimits()),
        (
            "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;e=1\r\nhello\r\n1\r\n!\r\n0\r\nT: x\r\n\r\n",
            HTTPLimits()
        ),
        ("POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nok", HTTPLimits()),
        ("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx", HTTPLimits()),
        ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", HTTPLimits()),
        ("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX\r\n0\r\n\r\n", HTTPLimits()),
        ("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", HTTPLimits()),
        ("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n8\r\n12345678\r\n0\r\n\r\n", HTTPLimits(maxBodyBytes: 7)),
        ("GET / HTTP/1.1\nHost: a\r\n\r\n", HTTPLimits()),
        ("GET / HTTP/1.1\r\nHost: a\r\n X\r\n\r\n", HTTPLimits()),
        ("GET /0123456789abcdef HTTP/1.1\r\nHost: a\r\n\r\n", HTTPLimits(maxTargetBytes: 8)),
        ("GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", HTTPLimits(maxHeaderCount: 2)),
        ("GET / HTTP/1.1\r\nHost: a\r\nA: 0123456789\r\n\r\n", HTTPLimits(maxHeadBytes: 30)),
        ("FOO / HTTP/1.1\r\nHost: a\r\n\r\n", HTTPLimits()),
        ("GET / HTTP/2.0\r\nHost: a\r\n\r\n", HTTPLimits()),
    ]

    @Test("byte by byte gives the same result as all at once", arguments: splitCorpus)
    func byteByByteMatchesWhole(_ request: String, _ limits: HTTPLimits) {
        let bytes = Array(request.utf8)
        let whole = Parse.whole(bytes, limits: limits)
        #expect(whole != .incomplete)
        #expect(Parse.byteByByte(bytes, limits: limits) == whole)
    }

    @Test("every single split point gives the same result as all at once", arguments: splitCorpus)
    func everySplitMatchesWhole(_ request: String, _ limits: HTTPLimits) {
        let bytes = Array(request.utf8)
        let whole = Parse.whole(bytes, limits: limits)
        for split in 1..<bytes.count {
            let outcome = Parse.revealed(bytes, cuts: [split, bytes.count], limits: limits)
            #expect(outcome == whole, "split at \(split)")
        }
    }

    @Test func pipelinedRequestsParseOneAfterAnother() throws {
        let first = "POST /a HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc"
        let second = "GET /b HTTP/1.1\r\nHost: a\r\n\r\n"
        let bytes = Array((first + second).utf8)
        let one = try #require(Parse.whole(bytes).summary)
        #expect(one.path == "/a")
        let two = try #require(Parse.whole(Array(bytes[one.consumed...])).summary)
        #expect(two.path == "/b")
        #expect(one.consumed + two.consumed == bytes.count)
    }
}
