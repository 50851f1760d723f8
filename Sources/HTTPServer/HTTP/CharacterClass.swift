/// Byte classes from RFC 9110 and RFC 3986, as lookup tables.
enum CharacterClass {
    private static let tokenTable: [Bool] = (0..<256).map { byte in
        switch UInt8(byte) {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        default:
            "!#$%&'*+-.^_`|~".utf8.contains(UInt8(byte))
        }
    }

    /// tchar (RFC 9110 §5.6.2).
    @inline(__always)
    static func isTokenCharacter(_ byte: UInt8) -> Bool { tokenTable[Int(byte)] }

    /// field-vchar, SP or HTAB, obs-text included (RFC 9110 §5.5).
    @inline(__always)
    static func isFieldValueCharacter(_ byte: UInt8) -> Bool {
        byte >= 0x20 ? byte != 0x7F : byte == UInt8(ascii: "\t")
    }

    @inline(__always)
    static func isDigit(_ byte: UInt8) -> Bool { byte &- UInt8(ascii: "0") < 10 }

    @inline(__always)
    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// unreserved (RFC 3986 §2.3).
    static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        default:
            byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "~")
        }
    }

    /// sub-delims (RFC 3986 §2.2).
    static func isSubDelimiter(_ byte: UInt8) -> Bool {
        "!$&'()*+,;=".utf8.contains(byte)
    }
}

extension UnsafeRawBufferPointer {
    func equalsASCIICaseInsensitive(_ lowercase: StaticString) -> Bool {
        lowercase.withUTF8Buffer { literal in
            guard literal.count == count else { return false }
            for index in 0..<count where asciiLowercased(self[index]) != literal[index] { return false }
            return true
        }
    }

    func starts(withASCIICaseInsensitive lowercase: StaticString) -> Bool {
        lowercase.withUTF8Buffer { literal in
            guard literal.count <= count else { return false }
            for index in 0..<literal.count where asciiLowercased(self[index]) != literal[index] { return false }
            return true
        }
    }
}

extension StringProtocol {
    /// Compares with a lowercase ASCII literal, ignoring ASCII case.
    func equalsASCIICaseInsensitive(_ lowercase: String) -> Bool {
        let utf8 = self.utf8
        guard utf8.count == lowercase.utf8.count else { return false }
        return zip(utf8, lowercase.utf8).allSatisfy { asciiLowercased($0) == $1 }
    }

    /// The value without leading and trailing optional whitespace (SP and HTAB).
    func trimmingOWS() -> Substring {
        var slice = self[...]
        while let first = slice.first, first == " " || first == "\t" { slice = slice.dropFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice = slice.dropLast() }
        return Substring(slice)
    }
}
