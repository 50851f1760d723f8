/// The request parser as the fuzz target sees it: the parser stays internal, this SPI is its only way in.
///
/// Release builds cannot `@testable import`, and the fuzzer needs an optimised, instrumented build.
@_spi(Fuzzing) public struct FuzzingRequestParser {
    /// What one call to ``parse(_:)`` found, reduced to what the fuzzer checks.
    public enum Outcome: Hashable, Sendable {
        /// The request is incomplete.
        case needMore
        /// The head is complete; the body is still arriving.
        case awaitingBody
        /// A whole request. `declaredLength` is the Content-Length (nil for chunked or no body).
        case complete(bodyLength: Int, declaredLength: Int?, chunked: Bool, consumed: Int)
        /// The request was rejected with `status`.
        case failed(status: Int)
    }

    /// The limits in force (the fuzzer checks a chunked body against ``HTTPLimits/maxBodyBytes``).
    public let limits: HTTPLimits
    private var parser: HTTPRequestParser

    /// A parser for one request.
    public init(limits: HTTPLimits) {
        self.limits = limits
        parser = HTTPRequestParser(limits: limits)
    }

    /// Parses the request at the start of `buffer`, as the connection does after each read.
    public mutating func parse(_ buffer: UnsafeRawBufferPointer) -> Outcome {
        switch parser.parse(buffer) {
        case .needMore:
            return .needMore
        case .awaitingBody:
            return .awaitingBody
        case .failed(let error):
            return .failed(status: error.status.code)
        case .complete(let head, let body, let consumed):
            switch head.framing {
            case .none: return .complete(bodyLength: body.count, declaredLength: 0, chunked: false, consumed: consumed)
            case .contentLength(let length): return .complete(bodyLength: body.count, declaredLength: length, chunked: false, consumed: consumed)
            case .chunked: return .complete(bodyLength: body.count, declaredLength: nil, chunked: true, consumed: consumed)
            }
        }
    }
}
