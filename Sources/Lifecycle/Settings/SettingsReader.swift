/// Reads typed settings from an ``Environment`` and collects every problem instead of stopping at the first.
///
/// Each getter returns the default when the variable is unset, and also when the value is bad (after recording a
/// problem), so reading can go on and report everything at once. Call ``throwIfProblems()`` when done.
/// An empty value is a problem, not "unset": `HTTP_PORT=` is more likely a broken manifest than a wish for the default.
/// ```swift
/// var reader = SettingsReader(["HTTP_PORT": "x", "ACCESS_LOG": "maybe"])
/// let port = reader.int("HTTP_PORT", default: 8080, range: 0...65535, doc: "Traffic port.")
/// let accessLog = reader.bool("ACCESS_LOG", default: true, doc: "One line per request.")
/// try reader.throwIfProblems()  // throws both: HTTP_PORT: "x" is not an integer, ACCESS_LOG: "maybe" is not a boolean ...
/// ```
public struct SettingsReader: Sendable {
    /// One variable a getter was asked for: what the documentation (and `check-config`) lists.
    public struct Variable: Sendable, Hashable {
        /// The variable's name.
        public var name: String
        /// The default, as it would be written in the environment; empty when there is none.
        public var defaultValue: String
        /// What the variable controls.
        public var doc: String
        /// Whether its value is a secret (never printed).
        public var isSecret: Bool
        /// The value in effect, safe to print: as written in the environment, the default when unset, ``unset`` when
        /// it has none; for a secret `***`, its file's path, or a redacted form (``show(_:as:)``).
        public var value: String

        /// What ``value`` says of a variable that is unset and has no default.
        public static let unset = "(unset)"
    }

    /// The environment being read.
    public let environment: Environment
    /// Problems found so far, in reading order.
    public private(set) var problems: [SettingsError.Problem] = []
    /// Every variable asked for so far, in reading order.
    public private(set) var variables: [Variable] = []

    /// Starts reading `environment`.
    public init(_ environment: Environment) {
        self.environment = environment
    }

    /// Records a problem with `variable`; for checks that span several variables.
    public mutating func report(_ variable: String, _ message: String, code: SettingsError.Code = .inconsistent) {
        problems.append(SettingsError.Problem(variable: variable, message: message, code: code))
    }

    /// Whether a problem was recorded for `variable` (so a cross-check can skip a value that is only a fallback).
    public func hasProblem(_ variable: String) -> Bool {
        problems.contains { $0.variable == variable }
    }

    /// Throws every recorded problem at once, or does nothing when there is none.
    public func throwIfProblems() throws(SettingsError) {
        if !problems.isEmpty { throw SettingsError(problems: problems) }
    }

    /// A string; only emptiness is checked.
    public mutating func string(_ name: String, default defaultValue: String, doc: String) -> String {
        read(name, default: defaultValue, rendered: defaultValue, doc: doc) { .success($0) }
    }

    /// A decimal integer within `range`.
    public mutating func int(_ name: String, default defaultValue: Int, range: ClosedRange<Int>, doc: String) -> Int {
        read(name, default: defaultValue, rendered: String(defaultValue), doc: doc) { text in
            guard let value = Int(text) else { return .failure(ParseFailure("\"\(text)\" is not an integer")) }
            guard range.contains(value) else {
                return .failure(ParseFailure("\(value) is out of range (\(range.lowerBound)...\(range.upperBound))"))
            }
            return .success(value)
        }
    }

    /// A boolean: `true`/`false`, `1`/`0` or `yes`/`no`, in any letter case.
    public mutating func bool(_ name: String, default defaultValue: Bool, doc: String) -> Bool {
        read(name, default: defaultValue, rendered: String(defaultValue), doc: doc) { text in
            switch text.lowercased() {
            case "true", "1", "yes": .success(true)
            case "false", "0", "no": .success(false)
            default: .failure(ParseFailure("\"\(text)\" is not a boolean (true/false, 1/0, yes/no)"))
            }
        }
    }

    /// A non-negative decimal number of seconds (`5`, `0.25`); with `allowsZero: false` it must be positive.
    public mutating func seconds(_ name: String, default defaultValue: Duration, allowsZero: Bool = true, doc: String) -> Duration {
        read(name, default: defaultValue, rendered: defaultValue.settingsText, doc: doc) { text in
            Self.parseSeconds(text, allowsZero: allowsZero)
        }
    }

    /// Like ``seconds(_:default:allowsZero:doc:)`` for a variable with no default: nil when unset.
    public mutating func optionalSeconds(_ name: String, allowsZero: Bool = true, doc: String) -> Duration? {
        read(name, default: nil, rendered: "", doc: doc) { text in
            Self.parseSeconds(text, allowsZero: allowsZero).map { Optional($0) }
        }
    }

    /// One of a fixed set of names: the raw values of `Value`'s cases, matched exactly.
    public mutating func `enum`<Value: CaseIterable & RawRepresentable & Sendable>(
        _ name: String, default defaultValue: Value, doc: String
    ) -> Value where Value.RawValue == String {
        read(name, default: defaultValue, rendered: defaultValue.rawValue, doc: doc) { text in
            if let value = Value(rawValue: text) { return .success(value) }
            let allowed = Value.allCases.map(\.rawValue).joined(separator: ", ")
            return .failure(ParseFailure("\"\(text)\" is not one of \(allowed)"))
        }
    }

    /// The shared path of every getter: look up, parse, record the variable and any problem.
    private mutating func read<Value>(
        _ name: String, default defaultValue: Value, rendered: String, doc: String,
        parse: (String) -> Result<Value, ParseFailure>
    ) -> Value {
        variables.append(
            Variable(name: name, defaultValue: rendered, doc: doc, isSecret: false, value: rendered.isEmpty ? Variable.unset : rendered))
        guard let text = environment[name] else { return defaultValue }
        guard !text.isEmpty else {
            report(name, "must not be empty (unset it for the default\(rendered.isEmpty ? "" : " \(rendered)"))", code: .invalidValue)
            return defaultValue
        }
        switch parse(text) {
        case .success(let value):
            variables[variables.count - 1].value = text
            return value
        case .failure(let failure):
            report(name, failure.message, code: .invalidValue)
            return defaultValue
        }
    }

    /// Records a secret variable for the documentation list, shown as ``Variable/unset`` until ``show(_:as:)``.
    mutating func declareSecret(_ name: String, doc: String) {
        variables.append(Variable(name: name, defaultValue: "", doc: doc, isSecret: true, value: Variable.unset))
    }

    /// Shows the variable `name`, already read, as `display` in ``variables`` (`check-config`, the startup log): for a
    /// secret, a form that hides it, such as a connection string with its password as `***`.
    public mutating func show(_ name: String, as display: String) {
        guard let index = variables.lastIndex(where: { $0.name == name }) else { return }
        variables[index].value = display
    }

    /// Seconds above this are refused, so any sum of settings still fits in `Int64` nanoseconds.
    static let maximumSeconds = 10_000_000

    static func parseSeconds(_ text: String, allowsZero: Bool) -> Result<Duration, ParseFailure> {
        let failure = ParseFailure("\"\(text)\" is not a non-negative number of seconds (like 5 or 0.5)")
        let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard let whole = parts.first, !whole.isEmpty, whole.allSatisfy(\.isASCIIDigit) else { return .failure(failure) }
        let fraction = parts.count == 2 ? parts[1] : ""
        guard parts.count == 1 || !fraction.isEmpty, fraction.allSatisfy(\.isASCIIDigit) else { return .failure(failure) }
        guard fraction.count <= 9 else { return .failure(ParseFailure("\"\(text)\" is more precise than a nanosecond")) }
        guard whole.count <= 8, let seconds = Int(whole), seconds <= maximumSeconds else {
            return .failure(ParseFailure("\"\(text)\" is more than \(maximumSeconds) seconds"))
        }
        let nanoseconds = Int(fraction + String(repeating: "0", count: 9 - fraction.count)) ?? 0
        let duration = Duration.seconds(seconds) + .nanoseconds(nanoseconds)
        guard allowsZero || duration > .zero else { return .failure(ParseFailure("must be more than 0")) }
        return .success(duration)
    }
}

/// Why a value did not parse; a type only so `Result` can carry the message.
struct ParseFailure: Error {
    let message: String

    init(_ message: String) {
        self.message = message
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}

extension Duration {
    /// Whole or decimal seconds, the way settings are written: `5`, `0.25`.
    var settingsText: String {
        let (seconds, attoseconds) = components
        let nanoseconds = attoseconds / 1_000_000_000
        guard nanoseconds != 0 else { return String(seconds) }
        var fraction = String(nanoseconds)
        fraction = String(repeating: "0", count: 9 - fraction.count) + fraction
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return "\(seconds).\(fraction)"
    }
}
