/// Percent-decoding of URI components (RFC 3986 §2.1).
enum PercentDecoding {
    /// Decodes `%XX` escapes (and `+` as space when asked); nil for a malformed escape, NUL or invalid UTF-8.
    static func decode(_ text: Substring, plusAsSpace: Bool = false) -> String? {
        let utf8 = text.utf8
        if !utf8.contains(UInt8(ascii: "%")) && !(plusAsSpace && utf8.contains(UInt8(ascii: "+"))) {
            return String(text)
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(utf8.count)
        var index = utf8.startIndex
        while index != utf8.endIndex {
            let byte = utf8[index]
            if byte == UInt8(ascii: "%") {
                let high = utf8.index(after: index)
                guard high != utf8.endIndex else { return nil }
                let low = utf8.index(after: high)
                guard low != utf8.endIndex, let highValue = CharacterClass.hexValue(utf8[high]),
                    let lowValue = CharacterClass.hexValue(utf8[low])
                else { return nil }
                let decoded = highValue << 4 | lowValue
                guard decoded != 0 else { return nil }
                bytes.append(decoded)
                index = utf8.index(after: low)
            } else {
                bytes.append(plusAsSpace && byte == UInt8(ascii: "+") ? UInt8(ascii: " ") : byte)
                index = utf8.index(after: index)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    /// Splits an encoded path into decoded segments.
    ///
    /// Splitting happens before decoding, so `%2F` stays inside its segment; dot segments, raw or encoded,
    /// are refused, so a path can never climb out of the route it names.
    static func pathSegments(_ path: String) -> [String]? {
        guard path.utf8.first == UInt8(ascii: "/") else { return nil }
        if path.utf8.count == 1 { return [] }
        var segments: [String] = []
        for raw in path.utf8.dropFirst().split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false) {
            guard let segment = decode(Substring(raw)), segment != ".", segment != ".." else { return nil }
            segments.append(segment)
        }
        return segments
    }
}
