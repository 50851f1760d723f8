/// Why a request could not be parsed, and how the server must answer it.
///
/// Every parse error closes the connection: after a framing error the server cannot know where
/// the next request would start, and guessing is how request smuggling happens.
public struct HTTPParseError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A growable set of error codes.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case malformedRequestLine, unsupportedVersion, unknownMethod, targetTooLong, invalidTarget
            case headerSectionTooLarge, tooManyHeaderFields, fieldLineTooLong, missingHost, repeatedHost, invalidHost
            case whitespaceBeforeColon, obsoleteLineFolding, invalidHeaderName, invalidHeaderValue, bareLineFeed
            case contentLengthWithTransferEncoding, invalidContentLength, repeatedContentLength
            case unsupportedTransferCoding, transferEncodingInHTTP10
            case bodyTooLarge, invalidChunkSize, invalidChunkFraming, chunkExtensionTooLong
            case invalidExpectation
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        public var description: String { base.rawValue }

        public static let malformedRequestLine = Code(.malformedRequestLine)
        public static let unsupportedVersion = Code(.unsupportedVersion)
        public static let unknownMethod = Code(.unknownMethod)
        public static let targetTooLong = Code(.targetTooLong)
        public static let invalidTarget = Code(.invalidTarget)
        public static let headerSectionTooLarge = Code(.headerSectionTooLarge)
        public static let tooManyHeaderFields = Code(.tooManyHeaderFields)
        public static let fieldLineTooLong = Code(.fieldLineTooLong)
        public static let missingHost = Code(.missingHost)
        public static let repeatedHost = Code(.repeatedHost)
        public static let invalidHost = Code(.invalidHost)
        public static let whitespaceBeforeColon = Code(.whitespaceBeforeColon)
        public static let obsoleteLineFolding = Code(.obsoleteLineFolding)
        public static let invalidHeaderName = Code(.invalidHeaderName)
        public static let invalidHeaderValue = Code(.invalidHeaderValue)
        public static let bareLineFeed = Code(.bareLineFeed)
        public static let contentLengthWithTransferEncoding = Code(.contentLengthWithTransferEncoding)
        public static let invalidContentLength = Code(.invalidContentLength)
        public static let repeatedContentLength = Code(.repeatedContentLength)
        public static let unsupportedTransferCoding = Code(.unsupportedTransferCoding)
        public static let transferEncodingInHTTP10 = Code(.transferEncodingInHTTP10)
        public static let bodyTooLarge = Code(.bodyTooLarge)
        public static let invalidChunkSize = Code(.invalidChunkSize)
        public static let invalidChunkFraming = Code(.invalidChunkFraming)
        public static let chunkExtensionTooLong = Code(.chunkExtensionTooLong)
        public static let invalidExpectation = Code(.invalidExpectation)
    }

    /// What went wrong.
    public let code: Code

    /// Creates an error with `code`.
    public init(_ code: Code) {
        self.code = code
    }

    /// The status to answer with.
    public var status: HTTPStatus {
        switch code {
        case .unsupportedVersion: .httpVersionNotSupported
        case .unknownMethod: .notImplemented
        case .targetTooLong: .uriTooLong
        case .headerSectionTooLarge, .tooManyHeaderFields, .fieldLineTooLong: .requestHeaderFieldsTooLarge
        case .bodyTooLarge: .contentTooLarge
        case .invalidExpectation: .expectationFailed
        default: .badRequest
        }
    }

    public var description: String { "\(status.code) \(code)" }
}
