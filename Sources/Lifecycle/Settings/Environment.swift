import Glibc

/// A snapshot of environment variables: the only input settings are read from.
///
/// Tests build one from a dictionary; only `main` should call ``process()``.
/// ```swift
/// let settings = try ServiceSettings.load(from: ["DATABASE_URL": "postgres://app@db/app"])
/// ```
public struct Environment: Sendable {
    /// The variables by name.
    public var values: [String: String]

    /// Creates an environment holding exactly `values`.
    public init(_ values: [String: String]) {
        self.values = values
    }

    /// The value of `name`, or nil when unset.
    public subscript(name: String) -> String? {
        values[name]
    }

    /// The current process's environment, copied once.
    public static func process() -> Environment {
        var values: [String: String] = [:]
        var entry: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = environ
        while let pointer = entry?.pointee {
            let pair = String(cString: pointer)
            if let equals = pair.firstIndex(of: "=") {
                let name = String(pair[..<equals])
                // getenv(3) returns the first of duplicated names; do the same.
                if values[name] == nil {
                    values[name] = String(pair[pair.index(after: equals)...])
                }
            }
            entry = entry?.advanced(by: 1)
        }
        return Environment(values)
    }
}

extension Environment: ExpressibleByDictionaryLiteral {
    /// Creates an environment from a literal, for tests: `["HTTP_PORT": "0"]`.
    public init(dictionaryLiteral elements: (String, String)...) {
        self.init(Dictionary(elements) { first, _ in first })
    }
}
