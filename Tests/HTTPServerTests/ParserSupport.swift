@testable import HTTPServer

/// What parsing a request produced, in a comparable form.
enum ParseOutcome: Equatable, CustomStringConvertible {
    case complete(Summary)
    case failed(HTTPParseError.Code)
    case incomplete

    /// The parts of a complete request a test compares.
    struct Summary: Equatable {
        var method: HTTPMethod
        var path: String
        var query: String?
        var version: HTTPVersion
        var fields: [String]
        var framing: BodyFraming
        var keepAlive: Bool
        var expectsContinue: Bool
        var body: [UInt8]
        var consumed: Int
    }

    var description: String {
        switch self {
        case .complete(let summary): "complete(\(summary))"
        case .failed(let code): "failed(\(code))"
        case .incomplete: "incomplete"
        }
    }

    var summary: Summary? {
        if case .complete(let summary) = self { summary } else { nil }
    }

    var status: Int? {
        if case .failed(let code) = self { HTTPParseError(code).status.code } else { nil }
    }

    init(_ result: HTTPRequestParser.Result) {
        switch result {
        case .needMore, .awaitingBody:
            self = .incomplete
        case .failed(let error):
            self = .failed(error.code)
        case .complete(let head, let body, let consumed):
            self = .complete(
                Summary(
                    method: head.method, path: head.path, query: head.query, version: head.version,
                    fields: head.headers.map { "\($0.name): \($0.value)" }, framing: head.framing, keepAlive: head.keepAlive,
                    expectsContinue: head.expectsContinue, body: body, consumed: consumed
                )
            )
        }
    }
}

/// Parsing helpers that feed a parser the way a connection does: a growing buffer, re-parsed after each read.
enum Parse {
    /// Parses `bytes` in one call.
    static func whole(_ bytes: [UInt8], limits: HTTPLimits = HTTPLimits()) -> ParseOutcome {
        var parser = HTTPRequestParser(limits: limits)
        return bytes.withUnsafeBytes { ParseOutcome(parser.parse($0)) }
    }

    static func whole(_ text: String, limits: HTTPLimits = HTTPLimits()) -> ParseOutcome {
        whole(Array(text.utf8), limits: limits)
    }

    /// Reveals `bytes` up to each cut in turn (the last cut should be `bytes.count`); stops at the first final result.
    static func revealed(_ bytes: [UInt8], cuts: [Int], limits: HTTPLimits = HTTPLimits()) -> ParseOutcome {
        var parser = HTTPRequestParser(limits: limits)
        for cut in cuts where cut > 0 {
            let outcome = bytes.withUnsafeBytes { ParseOutcome(parser.parse(UnsafeRawBufferPointer(rebasing: $0[..<cut]))) }
            if outcome != .incomplete { return outcome }
        }
        return .incomplete
    }

    /// One byte more per call.
    static func byteByByte(_ bytes: [UInt8], limits: HTTPLimits = HTTPLimits()) -> ParseOutcome {
        revealed(bytes, cuts: Array(1...max(1, bytes.count)), limits: limits)
    }
}
