/// Byte-level text helpers shared by the JSON log encoder and the Prometheus renderer.
///
/// Both formats are built straight into bytes so the hot path never creates intermediate `String`s.
enum ASCII {
    static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Appends `value` in decimal without allocating a `String`.
    static func appendInteger<Output: ByteOutput & ~Copyable>(_ value: Int, to output: inout Output) {
        if value < 0 {
            output.appendByte(UInt8(ascii: "-"))
        }
        var magnitude = value.magnitude
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var start = digits.count
            repeat {
                start -= 1
                digits[start] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            output.appendBytes(UnsafeBufferPointer(rebasing: digits[start...]))
        }
    }

    /// Calls `body` with the UTF-8 bytes of `string`; native Swift strings are contiguous, so this does not copy.
    static func withUTF8<Result>(_ string: String, _ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        var string = string
        return string.withUTF8(body)
    }
}
