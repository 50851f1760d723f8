@_spi(Fuzzing) import HTTPServer

/// Feeds one input to the request parser the way a connection does and traps on any broken invariant.
///
/// The input is parsed twice: whole, and cut into pieces whose sizes come from a hash of the input
/// (so the fuzzer explores packetisation too). A connection re-parses its growing buffer after each
/// read and starts a fresh parser after each complete request (pipelining), and so does this.
/// Invariants: no crash; `consumed` is within what was offered and never zero; a complete request's
/// body matches its framing; and the complete requests found do not depend on how the bytes were cut,
/// which is what keeps request smuggling out.
enum ParserHarness {
    /// Small limits, so the fuzzer reaches every limit with short inputs.
    static let limits = HTTPLimits(maxTargetBytes: 64, maxHeadBytes: 512, maxHeaderCount: 8, maxBodyBytes: 256, maxFieldLineBytes: 128)

    static func check(_ input: UnsafeRawBufferPointer) {
        let whole = completedRequests(input, cuts: [input.count])
        let pieces = completedRequests(input, cuts: cutPoints(input))
        guard whole == pieces else {
            fatalError("packetisation changed the parsed requests: whole \(whole), in pieces \(pieces)")
        }
    }

    /// Parses `input` revealed up to each of `cuts` in turn; returns the complete requests in order.
    static func completedRequests(_ input: UnsafeRawBufferPointer, cuts: [Int]) -> [FuzzingRequestParser.Outcome] {
        var completed: [FuzzingRequestParser.Outcome] = []
        var parser = FuzzingRequestParser(limits: limits)
        var start = 0
        var cutIndex = 0
        var end = cuts[0]
        while true {
            let available = UnsafeRawBufferPointer(rebasing: input[start..<end])
            let outcome = available.isEmpty ? .needMore : parser.parse(available)
            switch outcome {
            case .complete(let bodyLength, let declaredLength, let consumed):
                precondition(consumed > 0 && consumed <= available.count, "consumed \(consumed) of \(available.count)")
                precondition(bodyLength <= consumed, "body \(bodyLength) longer than the request \(consumed)")
                if let declaredLength {
                    precondition(declaredLength == bodyLength, "body \(bodyLength) for Content-Length \(declaredLength)")
                } else {
                    precondition(bodyLength <= limits.maxBodyBytes, "chunked body \(bodyLength)")
                }
                completed.append(outcome)
                start += consumed
                parser = FuzzingRequestParser(limits: limits)
            case .failed(let status):
                precondition((400...599).contains(status), "parse error answered with \(status)")
                return completed
            case .needMore, .awaitingBody:
                cutIndex += 1
                guard cutIndex < cuts.count else { return completed }
                end = cuts[cutIndex]
            }
        }
    }

    /// Increasing cut points ending at `input.count`, mostly small steps, derived from the input's FNV-1a hash.
    static func cutPoints(_ input: UnsafeRawBufferPointer) -> [Int] {
        var state: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in input { state = (state ^ UInt64(byte)) &* 0x100_0000_01b3 }
        var cuts: [Int] = []
        var position = 0
        while position < input.count {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            let step = state & 3 == 0 ? Int((state >> 8) % 64) : Int((state >> 8) % 4)
            position = min(input.count, position + 1 + step)
            cuts.append(position)
        }
        return cuts.isEmpty ? [0] : cuts
    }
}
