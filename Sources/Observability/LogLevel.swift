/// The severity of a log line, ordered from most verbose (`trace`) to most severe (`critical`).
///
/// A ``Logger`` writes a line only when the line's level is at least the logger's ``Logger/level``.
/// The raw value is the name `LOG_LEVEL` takes and the `level` field shows.
public enum LogLevel: String, Sendable, Comparable, CaseIterable {
    /// Very fine-grained detail, usually off in production.
    case trace
    /// Detail that helps debugging.
    case debug
    /// Normal operation worth recording.
    case info
    /// Normal but significant events.
    case notice
    /// Something unexpected that the service handled.
    case warning
    /// An operation failed.
    case error
    /// The service cannot continue to work correctly.
    case critical

    /// The lowercase name written in the `level` field of each log line.
    public var name: String { rawValue }

    /// Position from most verbose to most severe.
    private var severity: Int {
        switch self {
        case .trace: 0
        case .debug: 1
        case .info: 2
        case .notice: 3
        case .warning: 4
        case .error: 5
        case .critical: 6
        }
    }

    /// Orders levels by severity.
    public static func < (lhs: LogLevel, rhs: LogLevel) -> Bool {
        lhs.severity < rhs.severity
    }
}
