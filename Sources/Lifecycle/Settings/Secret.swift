/// A setting that must never reach a log: every textual rendering of it is `***`.
///
/// Read ``value`` only where it is handed to the code that needs it (libpq).
public struct Secret: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The secret itself.
    public let value: String
    /// The file it was read from, when it came from a `_FILE` variable.
    public let path: String?

    /// Wraps `value`, read from the file at `path` if given.
    public init(_ value: String, path: String? = nil) {
        self.value = value
        self.path = path
    }

    /// Always `***`.
    public var description: String { "***" }
    /// Always `***`.
    public var debugDescription: String { "***" }
    /// No children, so `dump` and reflection show nothing either.
    public var customMirror: Mirror { Mirror(self, children: [:]) }
}
