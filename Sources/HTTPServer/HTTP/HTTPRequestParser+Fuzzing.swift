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
        /// A whole request. `declaredLength` is the Content-Length: 0 without a body, nil for a chunked one.
        case complete(bodyLength: Int, declaredLength: Int?, consumed: Int)
        /// The request was rejected with `status`.
        case failed(status: Int)
    }

    private var parser: HTTPRequestParser

    /// A parser for one request.
    public init(limits: HTTPLimits) {
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
            case .none: return .complete(bodyLength: body.count, declaredLength: 0, consumed: consumed)
            case .contentLength(let length): return .complete(bodyLength: body.count, declaredLength: length, consumed: consumed)
            case .chunked: return .complete(bodyLength: body.count, declaredLength: nil, consumed: consumed)
            }
        }
    }
}
