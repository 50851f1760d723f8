/// Every problem found in the settings, reported together so one deploy fixes them all.
///
/// Renders one line per problem, each naming its variable: `DATABASE_URL: must not be empty`.
/// Messages never contain a secret's value.
public struct SettingsError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of a problem; new kinds may be added, so do not assume the list is complete.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable {
            case invalidValue
            case missing
            case conflict
            case unreadableFile
            case inconsistent
        }

        private let base: Base

        private init(_ base: Base) {
            self.base = base
        }

        /// The value cannot be parsed or is out of range.
        public static let invalidValue = Code(.invalidValue)
        /// A required variable is unset.
        public static let missing = Code(.missing)
        /// Both `NAME` and `NAME_FILE` are set.
        public static let conflict = Code(.conflict)
        /// A `_FILE` variable names a file that cannot be read or is empty.
        public static let unreadableFile = Code(.unreadableFile)
        /// Values that are valid alone but not together (equal ports, pool bounds, shutdown budget).
        public static let inconsistent = Code(.inconsistent)

        public var description: String {
            switch base {
            case .invalidValue: "invalid value"
            case .missing: "missing"
            case .conflict: "conflict"
            case .unreadableFile: "unreadable file"
            case .inconsistent: "inconsistent"
            }
        }
    }

    /// One problem with one variable.
    public struct Problem: Hashable, Sendable, CustomStringConvertible {
        /// The variable at fault, e.g. `DATABASE_URL_FILE`.
        public var variable: String
        /// Why, without the variable's name and never quoting a secret.
        public var message: String
        /// The kind of problem.
        public var code: Code

        /// Creates a problem.
        public init(variable: String, message: String, code: Code) {
            self.variable = variable
            self.message = message
            self.code = code
        }

        /// `VARIABLE: message`.
        public var description: String {
            "\(variable): \(message)"
        }
    }

    /// The problems, in the order the settings were read; never empty.
    public var problems: [Problem]

    /// Creates an error holding `problems`.
    public init(problems: [Problem]) {
        self.problems = problems
    }

    /// One line per problem.
    public var description: String {
        problems.map(\.description).joined(separator: "\n")
    }
}
