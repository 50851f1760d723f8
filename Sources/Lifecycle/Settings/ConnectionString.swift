/// A libpq connection string checked without libpq: a `postgres://` / `postgresql://` URI or a `key=value` string.
///
/// It follows libpq's own parser (`conninfo_parse`, `conninfo_uri_parse_options`) and also checks the values libpq only
/// rejects when it connects (ports, `sslmode`, ...), because by then startup is retrying and a typo would look like
/// an outage. It refuses some strings libpq's parser takes: a bare `postgres://`, whitespace in a URI, an empty port,
/// and a `?` before a URI's `@`. Problems never quote the string: any piece of it may be a password.
struct ConnectionString {
    /// The keywords libpq 15 knows (`PQconndefaults`).
    static let keywords: Set<String> = [
        "service", "user", "password", "passfile", "channel_binding", "connect_timeout", "dbname", "host", "hostaddr", "port",
        "client_encoding", "options", "application_name", "fallback_application_name", "keepalives", "keepalives_idle",
        "keepalives_interval", "keepalives_count", "tcp_user_timeout", "sslmode", "sslcompression", "sslcert", "sslkey",
        "sslpassword", "sslrootcert", "sslcrl", "sslcrldir", "sslsni", "requirepeer", "ssl_min_protocol_version",
        "ssl_max_protocol_version", "gssencmode", "krbsrvname", "gsslib", "replication", "target_session_attrs",
    ]
    /// Keywords whose values libpq marks as passwords (`dispchar` `*`).
    static let secretKeywords: Set<String> = ["password", "sslpassword"]
    /// Keywords with a fixed set of values; libpq checks them only when connecting.
    static let allowedValues: [String: (values: [String], ignoresCase: Bool)] = [
        "sslmode": (["disable", "allow", "prefer", "require", "verify-ca", "verify-full"], false),
        "gssencmode": (["disable", "prefer", "require"], false),
        "channel_binding": (["disable", "prefer", "require"], false),
        "target_session_attrs": (["any", "read-write", "read-only", "primary", "standby", "prefer-standby"], true),
        "ssl_min_protocol_version": (["TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"], true),
        "ssl_max_protocol_version": (["TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"], true),
    ]

    /// Why the string is not a usable connection string; empty when it is.
    private(set) var problems: [String] = []
    /// Byte ranges holding secret values, in order.
    private var secretRanges: [Range<Int>] = []
    private let bytes: [UInt8]

    /// Parses `text`.
    init(_ text: String) {
        bytes = Array(text.utf8)
        if let prefix = Self.uriPrefix(of: bytes) {
            parseURI(from: prefix)
        } else if bytes.contains(UInt8(ascii: "=")) {
            parseKeywordValue()
        } else {
            problems.append("is neither a postgres:// URI nor a keyword=value string")
        }
    }

    /// The string with every secret value replaced by `***`; just `***` when it did not parse, since then no one can
    /// say which part is the password.
    var redacted: String {
        guard problems.isEmpty else { return "***" }
        var output: [UInt8] = []
        var position = 0
        for range in secretRanges {
            output += bytes[position..<range.lowerBound]
            output += Array("***".utf8)
            position = range.upperBound
        }
        output += bytes[position...]
        return String(decoding: output, as: UTF8.self)
    }

    private static func uriPrefix(of bytes: [UInt8]) -> Int? {
        for scheme in ["postgresql://", "postgres://"] where bytes.starts(with: scheme.utf8) {
            return scheme.utf8.count
        }
        return nil
    }

    // MARK: URI

    private mutating func parseURI(from start: Int) {
        guard start < bytes.count else {
            problems.append("has nothing after postgres://")
            return
        }
        if let space = bytes.firstIndex(where: Self.isSpace) {
            problems.append("contains whitespace at character \(space + 1); percent-encode it (%20)")
            return
        }
        var position = start
        // libpq: user info is everything up to an `@` that comes before any `/`.
        let userEnd = bytes[start...].firstIndex { $0 == UInt8(ascii: "@") || $0 == UInt8(ascii: "/") }
        if let at = userEnd, bytes[at] == UInt8(ascii: "@") {
            if bytes[start..<at].contains(UInt8(ascii: "?")) {
                problems.append("has an '@' after '?'; percent-encode it (%40)")
                return
            }
            if let colon = bytes[start..<at].firstIndex(of: UInt8(ascii: ":")) {
                checkPercentEncoding(start..<colon, what: "user name")
                checkPercentEncoding(colon + 1..<at, what: "password")
                secretRanges.append(colon + 1..<at)
            } else {
                checkPercentEncoding(start..<at, what: "user name")
            }
            position = at + 1
        }
        position = parseHosts(from: position)
        guard position < bytes.count else { return }
        if bytes[position] == UInt8(ascii: "/") {
            let end = bytes[position...].firstIndex(of: UInt8(ascii: "?")) ?? bytes.count
            checkPercentEncoding(position + 1..<end, what: "database name")
            position = end
        }
        if position < bytes.count {
            parseQuery(from: position + 1)
        }
    }

    /// Parses `host[:port][,host[:port]...]`; returns where it stopped (`/`, `?` or the end).
    private mutating func parseHosts(from start: Int) -> Int {
        var position = start
        while true {
            if position < bytes.count, bytes[position] == UInt8(ascii: "[") {
                guard let close = bytes[position...].firstIndex(of: UInt8(ascii: "]")) else {
                    problems.append("has an IPv6 address without its closing ']'")
                    return bytes.count
                }
                if close == position + 1 { problems.append("has an empty IPv6 address '[]'") }
                position = close + 1
                if position < bytes.count, !":/?,".utf8.contains(bytes[position]) {
                    problems.append("has an unexpected character at \(position + 1), after an IPv6 address")
                    return bytes.count
                }
            } else {
                let end = bytes[position...].firstIndex { ":/?,".utf8.contains($0) } ?? bytes.count
                checkPercentEncoding(position..<end, what: "host")
                position = end
            }
            if position < bytes.count, bytes[position] == UInt8(ascii: ":") {
                let end = bytes[(position + 1)...].firstIndex { "/?,".utf8.contains($0) } ?? bytes.count
                checkPort(position + 1..<end)
                position = end
            }
            guard position < bytes.count, bytes[position] == UInt8(ascii: ",") else { return position }
            position += 1
        }
    }

    private mutating func parseQuery(from start: Int) {
        var position = start
        while position < bytes.count {
            let end = bytes[position...].firstIndex(of: UInt8(ascii: "&")) ?? bytes.count
            let parameter = position..<end
            guard let equals = bytes[parameter].firstIndex(of: UInt8(ascii: "=")) else {
                problems.append("has a query parameter without '=' at character \(position + 1)")
                return
            }
            if bytes[(equals + 1)..<end].contains(UInt8(ascii: "=")) {
                problems.append("has a query parameter with a second '=' at character \(position + 1)")
                return
            }
            let key = percentDecoded(position..<equals, what: "query parameter name")
            let valueRange = equals + 1..<end
            let value = percentDecoded(valueRange, what: "query parameter value")
            if let key, let value {
                // libpq's one alias, kept for JDBC-style URIs.
                if key != "ssl" || value != "true" {
                    checkKeyword(key, value: value, valueRange: valueRange, at: position)
                }
            }
            position = end + 1
        }
    }

    private mutating func checkPort(_ range: Range<Int>) {
        guard let text = percentDecoded(range, what: "port") else { return }
        if !Self.isPortList(text) { problems.append("has a port that is not a number from 1 to 65535") }
    }

    private mutating func checkPercentEncoding(_ range: Range<Int>, what: String) {
        _ = percentDecoded(range, what: what)
    }

    /// The decoded text of `range`, or nil (and a problem) when a `%` escape is malformed or `%00`.
    private mutating func percentDecoded(_ range: Range<Int>, what: String) -> String? {
        var decoded: [UInt8] = []
        var position = range.lowerBound
        while position < range.upperBound {
            guard bytes[position] == UInt8(ascii: "%") else {
                decoded.append(bytes[position])
                position += 1
                continue
            }
            guard position + 2 < range.upperBound, let high = Self.hexValue(bytes[position + 1]),
                let low = Self.hexValue(bytes[position + 2])
            else {
                problems.append("has an invalid %-escape in the \(what)")
                return nil
            }
            let byte = high << 4 | low
            guard byte != 0 else {
                problems.append("has %00 in the \(what)")
                return nil
            }
            decoded.append(byte)
            position += 3
        }
        return String(decoding: decoded, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    // MARK: keyword=value

    private mutating func parseKeywordValue() {
        var position = 0
        var pairs = 0
        while true {
            while position < bytes.count, Self.isSpace(bytes[position]) { position += 1 }
            guard position < bytes.count else { break }
            let keyStart = position
            while position < bytes.count, bytes[position] != UInt8(ascii: "="), !Self.isSpace(bytes[position]) { position += 1 }
            let keyEnd = position
            while position < bytes.count, Self.isSpace(bytes[position]) { position += 1 }
            guard position < bytes.count, bytes[position] == UInt8(ascii: "="), keyEnd > keyStart else {
                problems.append("expected keyword=value at character \(keyStart + 1)")
                return
            }
            position += 1
            while position < bytes.count, Self.isSpace(bytes[position]) { position += 1 }
            let valueStart = position
            var value: [UInt8] = []
            if position < bytes.count, bytes[position] == UInt8(ascii: "'") {
                position += 1
                while true {
                    guard position < bytes.count else {
                        problems.append("has an unterminated quoted value starting at character \(valueStart + 1)")
                        return
                    }
                    let byte = bytes[position]
                    position += 1
                    if byte == UInt8(ascii: "'") { break }
                    if byte == UInt8(ascii: "\\"), position < bytes.count {
                        value.append(bytes[position])
                        position += 1
                    } else if byte != UInt8(ascii: "\\") {
                        value.append(byte)
                    }
                }
            } else {
                while position < bytes.count, !Self.isSpace(bytes[position]) {
                    if bytes[position] == UInt8(ascii: "\\") { position += 1 }
                    if position < bytes.count { value.append(bytes[position]) }
                    position += 1
                }
            }
            let key = String(decoding: bytes[keyStart..<keyEnd], as: UTF8.self)
            checkKeyword(key, value: String(decoding: value, as: UTF8.self), valueRange: valueStart..<position, at: keyStart)
            pairs += 1
        }
        if pairs == 0 { problems.append("has no keyword=value pairs") }
    }

    // MARK: shared

    private mutating func checkKeyword(_ key: String, value: String, valueRange: Range<Int>, at start: Int) {
        guard Self.keywords.contains(key) else {
            problems.append("has an unknown keyword at character \(start + 1) (see libpq's \"Parameter Key Words\")")
            return
        }
        if Self.secretKeywords.contains(key) {
            secretRanges.append(valueRange)
            return
        }
        if key == "port", !Self.isPortList(value) {
            problems.append("has a port that is not a number from 1 to 65535")
        }
        if let allowed = Self.allowedValues[key] {
            let matches = allowed.values.contains { allowed.ignoresCase ? $0.lowercased() == value.lowercased() : $0 == value }
            if !matches { problems.append("has a \(key) that is not one of \(allowed.values.joined(separator: ", "))") }
        }
    }

    /// A comma-separated list of ports (one per host), each 1...65535.
    private static func isPortList(_ text: String) -> Bool {
        text.split(separator: ",", omittingEmptySubsequences: false).allSatisfy { port in
            !port.isEmpty && port.count <= 5 && port.utf8.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
                && (1...65535).contains(Int(port) ?? 0)
        }
    }

    /// C `isspace` in the "C" locale, as libpq uses it.
    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || (9...13).contains(byte)
    }
}
