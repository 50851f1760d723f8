import Glibc

/// Decodes a chunked request body (RFC 9112 §7.1) incrementally from a growing buffer.
struct ChunkedBodyDecoder {
    private enum Stage {
        case size
        case data(remaining: Int)
        case dataTerminator
        case trailers(count: Int)
    }

    /// The decoded body so far.
    private(set) var body: [UInt8] = []
    private var offset: Int
    private var stage = Stage.size
    private let limits: HTTPLimits

    /// Longest chunk-size line, extensions included.
    static let maxSizeLineBytes = 4096

    init(offset: Int, limits: HTTPLimits) {
        self.offset = offset
        self.limits = limits
    }

    /// Decodes what has arrived; returns the offset just past the body once the last chunk and trailers are in.
    mutating func decode(_ buffer: UnsafeRawBufferPointer) throws(HTTPParseError) -> Int? {
        while true {
            switch stage {
            case .size:
                guard let lineEnd = try line(in: buffer, maxLength: Self.maxSizeLineBytes, error: .chunkExtensionTooLong) else {
                    return nil
                }
                let size = try Self.parseSize(UnsafeRawBufferPointer(rebasing: buffer[offset..<lineEnd]))
                offset = lineEnd + 2
                if size == 0 {
                    stage = .trailers(count: 0)
                } else {
                    guard body.count + size <= limits.maxBodyBytes else { throw HTTPParseError(.bodyTooLarge) }
                    stage = .data(remaining: size)
                }
            case .data(let remaining):
                let available = min(remaining, buffer.count - offset)
                guard available > 0 else { return nil }
                body.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[offset..<offset + available]))
                offset += available
                stage = remaining == available ? .dataTerminator : .data(remaining: remaining - available)
            case .dataTerminator:
                guard buffer.count - offset >= 2 else { return nil }
                guard buffer[offset] == UInt8(ascii: "\r"), buffer[offset + 1] == UInt8(ascii: "\n") else {
                    throw HTTPParseError(.invalidChunkFraming)
                }
                offset += 2
                stage = .size
            case .trailers(let count):
                guard let lineEnd = try line(in: buffer, maxLength: limits.maxFieldLineBytes, error: .fieldLineTooLong) else {
                    return nil
                }
                if lineEnd == offset {
                    offset += 2
                    return offset
                }
                try Self.validateTrailer(UnsafeRawBufferPointer(rebasing: buffer[offset..<lineEnd]))
                guard count < limits.maxHeaderCount else { throw HTTPParseError(.tooManyHeaderFields) }
                offset = lineEnd + 2
                stage = .trailers(count: count + 1)
            }
        }
    }

    /// The index of the CR of the next CRLF at `offset`, nil if not arrived yet.
    private func line(in buffer: UnsafeRawBufferPointer, maxLength: Int, error: HTTPParseError.Code) throws(HTTPParseError) -> Int? {
        guard offset < buffer.count, let base = buffer.baseAddress,
            let found = memchr(base + offset, 0x0A, buffer.count - offset)
        else {
            if buffer.count - offset > maxLength { throw HTTPParseError(error) }
            return nil
        }
        let newline = UnsafeRawPointer(found) - base
        guard newline > offset, buffer[newline - 1] == UInt8(ascii: "\r") else { throw HTTPParseError(.bareLineFeed) }
        if newline - offset > maxLength { throw HTTPParseError(error) }
        return newline - 1
    }

    /// chunk-size [ BWS ";" chunk-ext ]: hex digits, then optionally extensions, which are ignored.
    static func parseSize(_ line: UnsafeRawBufferPointer) throws(HTTPParseError) -> Int {
        var size = 0
        var index = 0
        while index < line.count, let digit = CharacterClass.hexValue(line[index]) {
            guard index < 15 else { throw HTTPParseError(.invalidChunkSize) }
            size = size << 4 | Int(digit)
            index += 1
        }
        guard index > 0 else { throw HTTPParseError(.invalidChunkSize) }
        let digitsEnd = index
        while index < line.count, line[index] == UInt8(ascii: " ") || line[index] == UInt8(ascii: "\t") { index += 1 }
        if index == line.count {
            guard index == digitsEnd else { throw HTTPParseError(.invalidChunkSize) }
            return size
        }
        guard line[index] == UInt8(ascii: ";") else { throw HTTPParseError(.invalidChunkSize) }
        while index < line.count {
            guard CharacterClass.isFieldValueCharacter(line[index]) else { throw HTTPParseError(.invalidChunkSize) }
            index += 1
        }
        return size
    }

    private static func validateTrailer(_ line: UnsafeRawBufferPointer) throws(HTTPParseError) {
        guard let first = line.first, first != UInt8(ascii: " "), first != UInt8(ascii: "\t") else {
            throw HTTPParseError(.obsoleteLineFolding)
        }
        var index = 0
        while index < line.count, line[index] != UInt8(ascii: ":") {
            guard CharacterClass.isTokenCharacter(line[index]) else { throw HTTPParseError(.invalidHeaderName) }
            index += 1
        }
        guard index > 0, index < line.count else { throw HTTPParseError(.invalidHeaderName) }
        for byte in line[(index + 1)...] where !CharacterClass.isFieldValueCharacter(byte) {
            throw HTTPParseError(.invalidHeaderValue)
        }
    }
}
