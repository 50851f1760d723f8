import CLibPQ

/// A libpq connection string as the linked libpq reads it (`PQconninfoParse`): a `postgresql://` URI or a
/// `keyword=value` string.
///
/// Whatever keywords and syntax the linked libpq accepts are accepted, so a newer libpq's options (`require_auth`,
/// `load_balance_hosts`, ...) work without a change here. libpq checks values (`sslmode`, ports) only when it
/// connects. Nothing here renders a secret: values libpq marks as passwords (`dispchar` `*`) print as `***`, and
/// libpq's error message loses every piece of the string it quotes that could be one.
///
/// ```swift
/// let parsed = try PostgresConnectionString("postgresql://app:pw@db/app")
/// print(parsed.redacted)  // user=app password=*** dbname=app host=db
/// ```
public struct PostgresConnectionString: Sendable {
    /// The keyword/value pairs the string sets, in libpq's keyword order.
    public let parameters: [(keyword: String, value: String)]
    /// The keywords whose values are secret (`password`, `sslpassword`, ...), as libpq marks them.
    public let secretKeywords: Set<String>
    private let text: String

    /// Parses `text` with libpq.
    ///
    /// - Throws: ``PostgresError/Code/invalidConfiguration`` with libpq's message, pieces of the string removed
    ///   unless they are plainly a keyword.
    public init(_ text: String) throws(PostgresError) {
        var errorMessage: UnsafeMutablePointer<CChar>?
        guard let options = PQconninfoParse(text, &errorMessage) else {
            let message = errorMessage.map { String(cString: $0) } ?? "out of memory"
            if let errorMessage { PQfreemem(errorMessage) }
            throw PostgresError(.invalidConfiguration, summary: Self.sanitized(message, input: text))
        }
        defer { PQconninfoFree(options) }
        var parameters: [(keyword: String, value: String)] = []
        var secretKeywords: Set<String> = []
        var option = options
        while let keyword = option.pointee.keyword {
            let name = String(cString: keyword)
            if let dispchar = option.pointee.dispchar, dispchar.pointee == CChar(UInt8(ascii: "*")) {
                secretKeywords.insert(name)
            }
            if let value = option.pointee.val { parameters.append((name, String(cString: value))) }
            option += 1
        }
        self.parameters = parameters
        self.secretKeywords = secretKeywords
        self.text = text
    }

    /// The value the string gives `keyword`, if any.
    public func value(_ keyword: String) -> String? {
        parameters.last { $0.keyword == keyword }?.value
    }

    /// The string as written when it holds no secret, otherwise as `keyword=value` pairs with secrets as `***`: safe to
    /// log and to print.
    public var redacted: String {
        parameters.contains { secretKeywords.contains($0.keyword) } ? redactedPairs : text
    }

    /// The parameters as `keyword=value` pairs, secrets as `***`.
    var redactedPairs: String {
        parameters.map { pair in
            secretKeywords.contains(pair.keyword) ? "\(pair.keyword)=***" : "\(pair.keyword)=\(Self.quoted(pair.value))"
        }.joined(separator: " ")
    }

    /// `value` quoted for a keyword/value string when it needs it.
    static func quoted(_ value: String) -> String {
        guard value.isEmpty || value.contains(where: { $0 == " " || $0 == "'" || $0 == "\\" }) else { return value }
        return "'" + value.replacing("\\", with: "\\\\").replacing("'", with: "\\'") + "'"
    }

    /// libpq's `message` with each double-quoted piece of `input` it contains replaced by `***`, unless the piece is
    /// a keyword: a name written right before an `=` in `input`, or one punctuation character.
    ///
    /// libpq quotes the whole URI (password included) in some messages and a token that may be part of an unquoted
    /// password (`password=correct horse`) in others; the parameter name in "invalid connection option" is kept.
    /// Everything between libpq's first and last quote goes when `input` itself holds a quote.
    static func sanitized(_ message: String, input: String) -> String {
        let message = message.trimmingSuffix(while: \.isNewline)
        if input.contains("\""), let first = message.firstIndex(of: "\""), let last = message.lastIndex(of: "\"") {
            // A quote inside a quoted piece would shift which pieces sit between quotes: drop them all.
            return message[..<first] + "\"***\"" + message[message.index(after: last)...]
        }
        let pieces = message.split(separator: "\"", omittingEmptySubsequences: false)
        // Odd-numbered pieces sat between quotes.
        let parts = pieces.enumerated().map { index, piece in
            index % 2 == 1 && !isKeyword(String(piece), in: input) ? "***" : String(piece)
        }
        return parts.joined(separator: "\"")
    }

    private static func isKeyword(_ piece: String, in input: String) -> Bool {
        if piece.count == 1, let byte = piece.utf8.first, byte < 0x80, !isNameByte(byte) { return true }
        guard !piece.isEmpty, piece.utf8.allSatisfy(isNameByte) else { return false }
        let bytes = Array(input.utf8)
        let name = Array(piece.utf8)
        var start = 0
        while start + name.count <= bytes.count {
            defer { start += 1 }
            guard bytes[start..<start + name.count].elementsEqual(name) else { continue }
            let before = start == 0 ? nil : bytes[start - 1]
            guard before.map({ isSpace($0) || $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "&") }) ?? true else { continue }
            var after = start + name.count
            while after < bytes.count, isSpace(bytes[after]) { after += 1 }
            if after < bytes.count, bytes[after] == UInt8(ascii: "=") { return true }
        }
        return false
    }

    private static func isNameByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "_"):
            true
        default: false
        }
    }

    /// C `isspace` in the "C" locale, as libpq uses it.
    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || (9...13).contains(byte)
    }
}

extension StringProtocol {
    fileprivate func trimmingSuffix(while predicate: (Character) -> Bool) -> SubSequence {
        var end = endIndex
        while end > startIndex, predicate(self[index(before: end)]) { end = index(before: end) }
        return self[..<end]
    }
}
