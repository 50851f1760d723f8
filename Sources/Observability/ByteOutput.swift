/// Somewhere text is appended as bytes: a growable `[UInt8]` or a ``LogLine``'s stack buffer (which moves to the heap when full).
///
/// The encoders (``JSONText``, ``ASCII``, ``UTCTimestamp``) are written once against it; inside this module
/// the optimizer specializes them for each concrete output, so neither pays for the abstraction.
protocol ByteOutput: ~Copyable {
    mutating func appendByte(_ byte: UInt8)
    mutating func appendBytes(_ bytes: UnsafeBufferPointer<UInt8>)
}

extension ByteOutput where Self: ~Copyable {
    mutating func appendBytes(_ text: StaticString) {
        text.withUTF8Buffer { appendBytes($0) }
    }

    mutating func appendBytes(_ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { appendBytes($0) }
    }

    /// Appends the UTF-8 bytes of `string` as they are, unescaped.
    mutating func appendUTF8(_ string: String) {
        ASCII.withUTF8(string) { appendBytes($0) }
    }
}

extension Array: ByteOutput where Element == UInt8 {
    mutating func appendByte(_ byte: UInt8) {
        append(byte)
    }

    mutating func appendBytes(_ bytes: UnsafeBufferPointer<UInt8>) {
        append(contentsOf: bytes)
    }
}
