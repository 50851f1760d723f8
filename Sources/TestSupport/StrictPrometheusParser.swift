/// A strict parser for the Prometheus text exposition format 0.0.4, as our registry must write it.
///
/// Stricter than Prometheus itself: it also rejects what the format allows but our renderer never writes
/// (blank lines, other comments, timestamps, trailing commas, summary and untyped families), so any drift in
/// the renderer shows up here. Checks: every sample belongs to the family announced just before it by
/// `# HELP` then `# TYPE`, each family appears once, names follow the grammar, label values use only the
/// `\\`, `\"` and `\n` escapes, no series repeats, and histograms are complete and cumulative.
public struct StrictPrometheusParser: Sendable {
    /// One `name="value"` label of a sample, unescaped.
    public struct Label: Equatable, CustomStringConvertible, Sendable {
        /// The label name.
        public let name: String
        /// The label value, unescaped.
        public let value: String
        /// `name=value`.
        public var description: String { "\(name)=\(value)" }
    }

    /// One sample line.
    public struct Sample: Sendable {
        /// The sample's metric name, such as `x_bucket` in a histogram family `x`.
        public let name: String
        /// Its labels, in the order written.
        public let labels: [Label]
        /// Its value.
        public let value: Double
    }

    /// A metric family: its `# HELP` and `# TYPE` lines and the samples after them.
    public struct Family: Sendable {
        /// The family name.
        public let name: String
        /// The help text, unescaped.
        public let help: String
        /// `counter`, `gauge` or `histogram`.
        public let type: String
        /// The samples, in the order written.
        public internal(set) var samples: [Sample] = []
    }

    /// Where and why the exposition breaks the format.
    public struct FormatError: Error, CustomStringConvertible {
        /// The 1-based line number; 0 for the text or a histogram as a whole, the last line for something missing at the end.
        public let line: Int
        /// What is wrong there.
        public let reason: String
        /// `line <n>: <reason>`.
        public var description: String { "line \(line): \(reason)" }
    }

    /// The families, in the order written.
    public private(set) var families: [Family] = []

    /// Parses a whole exposition; throws ``FormatError`` at the first departure from the format.
    public init(_ text: [UInt8]) throws {
        guard text.isEmpty || text.last == UInt8(ascii: "\n") else {
            throw FormatError(line: 0, reason: "output does not end with a newline")
        }
        var announcedType: (name: String, help: String)?
        var seenSeries: Set<String> = []
        let lines = text.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).dropLast()
        for (index, bytes) in lines.enumerated() {
            let lineNumber = index + 1
            func fail(_ reason: String) -> FormatError { FormatError(line: lineNumber, reason: reason) }
            guard let line = String(validating: bytes, as: UTF8.self) else {
                throw fail("invalid UTF-8")
            }
            if let pending = announcedType {
                let parts = line.split(separator: " ", maxSplits: 3, omittingEmptySubsequences: false)
                guard parts.count == 4, parts[0] == "#", parts[1] == "TYPE", parts[2] == pending.name else {
                    throw fail("HELP for \(pending.name) is not followed by its TYPE")
                }
                guard ["counter", "gauge", "histogram"].contains(parts[3]) else {
                    throw fail("unexpected type \(parts[3])")
                }
                families.append(Family(name: pending.name, help: pending.help, type: String(parts[3])))
                announcedType = nil
            } else if line.hasPrefix("# HELP ") {
                let rest = line.dropFirst("# HELP ".count)
                guard let space = rest.firstIndex(of: " ") else {
                    throw fail("HELP without text")
                }
                let name = String(rest[..<space])
                guard Self.isMetricName(name) else {
                    throw fail("invalid metric name \(name)")
                }
                guard !families.contains(where: { $0.name == name }) else {
                    throw fail("family \(name) announced twice")
                }
                if let previous = families.last, previous.samples.isEmpty {
                    throw fail("family \(previous.name) has no samples")
                }
                announcedType = (name, try Self.unescapeHelp(rest[rest.index(after: space)...], fail))
            } else if line.hasPrefix("#") {
                throw fail("unexpected comment (a TYPE must follow HELP directly): \(line)")
            } else {
                guard var family = families.popLast() else {
                    throw fail("sample before any HELP/TYPE")
                }
                let sample = try Self.parseSample(Array(bytes), fail)
                guard Self.belongs(sample, to: family) else {
                    throw fail("sample \(sample.name) does not belong to family \(family.name) (\(family.type))")
                }
                let key = sample.name + "|" + sample.labels.sorted { $0.name < $1.name }.description
                guard seenSeries.insert(key).inserted else {
                    throw fail("duplicate series \(key)")
                }
                family.samples.append(sample)
                families.append(family)
            }
        }
        if let pending = announcedType {
            throw FormatError(line: lines.count, reason: "HELP for \(pending.name) without TYPE")
        }
        if let last = families.last, last.samples.isEmpty {
            throw FormatError(line: lines.count, reason: "family \(last.name) has no samples")
        }
        for family in families where family.type == "histogram" {
            try Self.checkHistogram(family)
        }
    }

    /// The family called `name`.
    public func family(_ name: String) -> Family? {
        families.first { $0.name == name }
    }

    /// The value of the series with exactly these labels (in any order).
    public func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        for family in families {
            for sample in family.samples where sample.name == name {
                if Dictionary(uniqueKeysWithValues: sample.labels.map { ($0.name, $0.value) }) == labels {
                    return sample.value
                }
            }
        }
        return nil
    }

    /// Whether `name` matches the metric-name grammar `[a-zA-Z_:][a-zA-Z0-9_:]*`.
    public static func isMetricName(_ name: some StringProtocol) -> Bool {
        guard let first = name.unicodeScalars.first, first.isASCIILetter || first == "_" || first == ":" else {
            return false
        }
        return name.unicodeScalars.allSatisfy { $0.isASCIILetter || $0.isASCIIDigit || $0 == "_" || $0 == ":" }
    }

    /// Whether `name` matches the label-name grammar `[a-zA-Z_][a-zA-Z0-9_]*` and does not start with the reserved `__`.
    public static func isLabelName(_ name: some StringProtocol) -> Bool {
        guard let first = name.unicodeScalars.first, first.isASCIILetter || first == "_", !name.hasPrefix("__") else {
            return false
        }
        return name.unicodeScalars.allSatisfy { $0.isASCIILetter || $0.isASCIIDigit || $0 == "_" }
    }

    private static func unescapeHelp(_ text: Substring, _ fail: (String) -> FormatError) throws -> String {
        var result = ""
        var escaped = false
        for character in text {
            if escaped {
                switch character {
                case "\\": result.append("\\")
                case "n": result.append("\n")
                default: throw fail("invalid escape \\\(character) in HELP")
                }
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else {
                result.append(character)
            }
        }
        guard !escaped else {
            throw fail("HELP ends in a lone backslash")
        }
        return result
    }

    private static func parseSample(_ bytes: [UInt8], _ fail: (String) -> FormatError) throws -> Sample {
        var offset = 0
        func take(while predicate: (UInt8) -> Bool) -> String {
            let start = offset
            while offset < bytes.count, predicate(bytes[offset]) {
                offset += 1
            }
            return String(decoding: bytes[start..<offset], as: UTF8.self)
        }
        func isNameByte(_ byte: UInt8) -> Bool {
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "_")
                || byte == UInt8(ascii: ":")
        }
        let name = take(while: isNameByte)
        guard isMetricName(name) else {
            throw fail("invalid metric name \"\(name)\"")
        }
        var labels: [Label] = []
        if offset < bytes.count, bytes[offset] == UInt8(ascii: "{") {
            offset += 1
            while true {
                let labelName = take(while: isNameByte)
                guard isLabelName(labelName) else {
                    throw fail("invalid label name \"\(labelName)\"")
                }
                guard !labels.contains(where: { $0.name == labelName }) else {
                    throw fail("duplicate label \(labelName)")
                }
                guard offset + 1 < bytes.count, bytes[offset] == UInt8(ascii: "="),
                    bytes[offset + 1] == UInt8(ascii: "\"")
                else {
                    throw fail("expected =\" after label \(labelName)")
                }
                offset += 2
                var value: [UInt8] = []
                while true {
                    guard offset < bytes.count else {
                        throw fail("unterminated label value")
                    }
                    let byte = bytes[offset]
                    offset += 1
                    if byte == UInt8(ascii: "\"") {
                        break
                    }
                    if byte == UInt8(ascii: "\\") {
                        guard offset < bytes.count else {
                            throw fail("unterminated escape")
                        }
                        switch bytes[offset] {
                        case UInt8(ascii: "\\"): value.append(UInt8(ascii: "\\"))
                        case UInt8(ascii: "\""): value.append(UInt8(ascii: "\""))
                        case UInt8(ascii: "n"): value.append(UInt8(ascii: "\n"))
                        default: throw fail("invalid escape in label value")
                        }
                        offset += 1
                    } else {
                        value.append(byte)
                    }
                }
                guard let decoded = String(validating: value, as: UTF8.self) else {
                    throw fail("label value is not UTF-8")
                }
                labels.append(Label(name: labelName, value: decoded))
                guard offset < bytes.count else {
                    throw fail("unterminated label set")
                }
                offset += 1
                if bytes[offset - 1] == UInt8(ascii: "}") {
                    break
                }
                guard bytes[offset - 1] == UInt8(ascii: ","), offset < bytes.count, bytes[offset] != UInt8(ascii: "}")
                else {
                    throw fail("expected , between labels (and no trailing comma)")
                }
            }
        }
        guard offset < bytes.count, bytes[offset] == UInt8(ascii: " ") else {
            throw fail("expected one space before the value")
        }
        offset += 1
        let valueText = String(decoding: bytes[offset...], as: UTF8.self)
        guard let value = parseValue(valueText) else {
            throw fail("invalid value \"\(valueText)\" (timestamps are not expected either)")
        }
        return Sample(name: name, labels: labels, value: value)
    }

    /// Parses a sample value: `+Inf`, `-Inf`, `NaN` or a decimal float.
    public static func parseValue(_ text: String) -> Double? {
        switch text {
        case "+Inf": return .infinity
        case "-Inf": return -.infinity
        case "NaN": return .nan
        default:
            let grammar = text.unicodeScalars.allSatisfy { $0.isASCIIDigit || "+-.e".unicodeScalars.contains($0) }
            guard grammar, let first = text.unicodeScalars.first, first.isASCIIDigit || first == "-" else {
                return nil
            }
            return Double(text)
        }
    }

    private static func belongs(_ sample: Sample, to family: Family) -> Bool {
        let hasLe = sample.labels.contains { $0.name == "le" }
        switch family.type {
        case "histogram":
            if sample.name == family.name + "_bucket" {
                return hasLe
            }
            return !hasLe && (sample.name == family.name + "_sum" || sample.name == family.name + "_count")
        default:
            return sample.name == family.name
        }
    }

    private static func checkHistogram(_ family: Family) throws {
        func fail(_ reason: String) -> FormatError {
            FormatError(line: 0, reason: "histogram \(family.name): \(reason)")
        }
        var groups: [String: [Sample]] = [:]
        var order: [String] = []
        for sample in family.samples {
            let key = sample.labels.filter { $0.name != "le" }.sorted { $0.name < $1.name }.description
            if groups[key] == nil {
                order.append(key)
            }
            groups[key, default: []].append(sample)
        }
        for key in order {
            let samples = groups[key]!
            let buckets = samples.prefix { $0.name == family.name + "_bucket" }
            let rest = samples.dropFirst(buckets.count).map(\.name)
            guard rest == [family.name + "_sum", family.name + "_count"] else {
                throw fail("\(key): expected buckets, then _sum, then _count; got \(samples.map(\.name))")
            }
            var previousBound = -Double.infinity
            var previousCount = 0.0
            for (index, bucket) in buckets.enumerated() {
                guard let leText = bucket.labels.first(where: { $0.name == "le" })?.value,
                    let bound = parseValue(leText), !bound.isNaN
                else {
                    throw fail("\(key): bad le label")
                }
                guard index == 0 || bound > previousBound else {
                    throw fail("\(key): le \(leText) does not ascend")
                }
                guard bucket.value >= previousCount, bucket.value == bucket.value.rounded() else {
                    throw fail("\(key): bucket le=\(leText) is not cumulative")
                }
                previousBound = bound
                previousCount = bucket.value
            }
            guard previousBound == .infinity else {
                throw fail("\(key): the last bucket is not le=\"+Inf\"")
            }
            guard samples.last!.value == previousCount else {
                throw fail("\(key): _count \(samples.last!.value) differs from the +Inf bucket \(previousCount)")
            }
        }
    }
}

extension Unicode.Scalar {
    fileprivate var isASCIILetter: Bool { ("a"..."z").contains(self) || ("A"..."Z").contains(self) }
    fileprivate var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
