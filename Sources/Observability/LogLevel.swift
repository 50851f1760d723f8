/// The severity of a log line, ordered from most verbose (`trace`) to most severe (`critical`).
///
/// A ``Logger`` writes a line only when the line's level is at least the logger's ``Logger/level``.
public enum LogLevel: Int, Sendable, Comparable, CaseIterable {
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

    /// Parses a level name as used by `LOG_LEVEL`.
    ///
    /// - Parameter name: `trace`, `debug`, `info`, `notice`, `warning` (or `warn`), `error` or `critical`,
    ///   in any letter case.
    public init?(name: String) {
        switch name.lowercased() {
        case "trace": self = .trace
        case "debug": self = .debug
        case "info": self = .info
        case "notice": self = .notice
        case "warning", "warn": self = .warning
        case "error": self = .error
        case "critical": self = .critical
        default: return nil
        }
    }

    /// The lowercase name written in the `level` field of each log line.
    public var name: String {
        switch self {
        case .trace: "trace"
        case .debug: "debug"
        case .info: "info"
        case .notice: "notice"
        case .warning: "warning"
        case .error: "error"
        case .critical: "critical"
        }
    }

    /// Orders levels by severity.
    public static func < (lhs: LogLevel, rhs: LogLevel) -> Bool {
        lhs.rawValue < rhs.rawValue
    }
}
