/// Pieces of the Prometheus text exposition format, version 0.0.4.
enum PrometheusText {
    /// Whether `name` matches `[a-zA-Z_:][a-zA-Z0-9_:]*`.
    static func isValidMetricName(_ name: String) -> Bool {
        isValidName(name, allowsColon: true)
    }

    /// Whether `name` matches `[a-zA-Z_][a-zA-Z0-9_]*` and does not start with the reserved `__`.
    static func isValidLabelName(_ name: String) -> Bool {
        isValidName(name, allowsColon: false) && !name.utf8.starts(with: "__".utf8)
    }

    private static func isValidName(_ name: String, allowsColon: Bool) -> Bool {
        var bytes = name.utf8.makeIterator()
        guard let first = bytes.next(), isNameStart(first, allowsColon: allowsColon) else {
            return false
        }
        while let byte = bytes.next() {
            guard isNameStart(byte, allowsColon: allowsColon) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
            else {
                return false
            }
        }
        return true
    }

    private static func isNameStart(_ byte: UInt8, allowsColon: Bool) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "_"): true
        case UInt8(ascii: ":"): allowsColon
        default: false
        }
    }

    /// Appends a label value with `\`, `"` and newline escaped.
    static func appendLabelValue(_ value: String, to output: inout [UInt8]) {
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\\"): output.append(contentsOf: #"\\"#.utf8)
            case UInt8(ascii: "\""): output.append(contentsOf: #"\""#.utf8)
            case UInt8(ascii: "\n"): output.append(contentsOf: #"\n"#.utf8)
            default: output.append(byte)
            }
        }
    }

    /// Appends HELP text with `\` and newline escaped (quotes stay as they are in HELP).
    static func appendHelp(_ help: String, to output: inout [UInt8]) {
        for byte in help.utf8 {
            switch byte {
            case UInt8(ascii: "\\"): output.append(contentsOf: #"\\"#.utf8)
            case UInt8(ascii: "\n"): output.append(contentsOf: #"\n"#.utf8)
            default: output.append(byte)
            }
        }
    }

    /// Appends a sample value: integral values without a fraction, `+Inf`, `-Inf` and `NaN` spelled out.
    static func appendValue(_ value: Double, to output: inout [UInt8]) {
        if value.isNaN {
            output.append(contentsOf: "NaN".utf8)
        } else if value.isInfinite {
            output.append(contentsOf: (value < 0 ? "-Inf" : "+Inf").utf8)
        } else if value == value.rounded(.towardZero) && value.magnitude < 0x1p53 {
            ASCII.appendInteger(Int(value), to: &output)
        } else {
            output.append(contentsOf: value.description.utf8)
        }
    }

    /// Renders `name{a="1",b="2"} `, the part of a sample line that never changes.
    static func seriesPrefix(_ name: String, labels: [(name: String, value: String)]) -> [UInt8] {
        var prefix = Array(name.utf8)
        if !labels.isEmpty {
            prefix.append(UInt8(ascii: "{"))
            for (index, label) in labels.enumerated() {
                if index > 0 {
                    prefix.append(UInt8(ascii: ","))
                }
                prefix.append(contentsOf: label.name.utf8)
                prefix.append(contentsOf: "=\"".utf8)
                appendLabelValue(label.value, to: &prefix)
                prefix.append(UInt8(ascii: "\""))
            }
            prefix.append(UInt8(ascii: "}"))
        }
        prefix.append(UInt8(ascii: " "))
        return prefix
    }
}
