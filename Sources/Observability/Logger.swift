/// Writes structured log lines, one JSON object per line, through a ``LogSink``.
///
/// Each line has the shape
/// `{"ts":"2026-11-21T06:00:00.123Z","level":"info","logger":"<label>","msg":"...",<fields...>}`.
/// The line is formatted on the calling thread, in a buffer on its stack, and copied into the sink in one piece; the
/// sink never blocks the caller. Timestamps are taken before that copy, so lines logged by different threads within
/// the same instant may reach the output slightly out of `ts` order.
/// A line below ``level`` costs one comparison: the message is not evaluated and nothing is allocated.
///
/// ```swift
/// let logger = Logger(label: "http", level: LogLevel(rawValue: env["LOG_LEVEL"] ?? "") ?? .info)
/// let requestLogger = logger.with(["request.id": "\(requestID)"])
/// requestLogger.info("request done", ["http.route": "/users/{id}", "http.response.status_code": 200])
/// ```
public struct Logger: Sendable {
    /// The least severe level this logger writes.
    public var level: LogLevel

    private let sink: LogSink
    /// `"logger":"<label>"`, encoded once.
    private let labelField: [UInt8]
    /// `,"key":value` for every field added with ``with(_:)``, encoded once.
    private let contextFields: [UInt8]

    /// Creates a logger.
    ///
    /// - Parameters:
    ///   - label: Written as the `logger` field; names the component, such as `"http"` or `"db.pool"`.
    ///   - level: The least severe level to write. Defaults to `info`.
    ///   - sink: Where lines go. Defaults to ``LogSink/standardOutput``.
    public init(label: String, level: LogLevel = .info, sink: LogSink = .standardOutput) {
        self.init(level: level, sink: sink, labelField: Self.labelField(label), contextFields: [])
    }

    private init(level: LogLevel, sink: LogSink, labelField: [UInt8], contextFields: [UInt8]) {
        self.level = level
        self.sink = sink
        self.labelField = labelField
        self.contextFields = contextFields
    }

    /// Returns a child logger that adds `fields` to every line, after the logger's existing fields.
    ///
    /// - Parameter fields: Fields such as a request ID; they are encoded once, here.
    public func with(_ fields: KeyValuePairs<String, LogValue>) -> Logger {
        var contextFields = self.contextFields
        JSONText.appendFields(fields, to: &contextFields)
        return Logger(level: level, sink: sink, labelField: labelField, contextFields: contextFields)
    }

    /// Returns a logger for another component: the same level, sink and context fields under a new `logger` label.
    ///
    /// - Parameter label: Written as the `logger` field, such as `"postgres"` or `"access"`.
    public func labeled(_ label: String) -> Logger {
        Logger(level: level, sink: sink, labelField: Self.labelField(label), contextFields: contextFields)
    }

    private static func labelField(_ label: String) -> [UInt8] {
        var field: [UInt8] = Array(#""logger":"#.utf8)
        JSONText.appendString(label, to: &field)
        return field
    }

    /// Whether a line at `level` would be written; use it to skip building expensive fields.
    public func isEnabled(_ level: LogLevel) -> Bool {
        level >= self.level
    }

    /// Writes a line at `level` if the logger is enabled for it.
    ///
    /// - Parameters:
    ///   - level: The line's severity.
    ///   - message: The `msg` field; evaluated only when the line is written.
    ///   - fields: Extra fields, written after the logger's own fields in this order. Evaluated only when the
    ///     line is written: as a plain parameter, the caller would build the literal's array even for a filtered line.
    public func log(
        _ level: LogLevel,
        _ message: @autoclosure () -> String,
        _ fields: @autoclosure () -> KeyValuePairs<String, LogValue> = [:]
    ) {
        guard level >= self.level else {
            return
        }
        let message = message()
        let fields = fields()
        write(level, message: { JSONText.appendQuoted(message, to: &$0) }, fields: { JSONText.appendFields(fields, to: &$0) })
    }

    /// Writes a line whose fields `appendFields` encodes straight into it with ``LogLine``'s `appendField`
    /// functions: no `KeyValuePairs`, no ``LogValue``s. For lines written once per request.
    ///
    /// - Parameters:
    ///   - level: The line's severity.
    ///   - message: The `msg` field.
    ///   - appendFields: Appends `,"key":value` pairs; called only when the line is written.
    public func log(_ level: LogLevel, _ message: StaticString, fields appendFields: (inout LogLine) -> Void) {
        guard level >= self.level else {
            return
        }
        write(level, message: { JSONText.appendQuoted(message, to: &$0) }, fields: appendFields)
    }

    /// Formats one whole line on the caller's stack, then hands it to the sink in one piece.
    private func write(_ level: LogLevel, message appendMessage: (inout LogLine) -> Void, fields appendFields: (inout LogLine) -> Void) {
        sink.prepareForLine()
        // An access line is about 240 bytes; longer lines move to the heap.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 1024) { buffer in
            var line = LogLine(buffer: buffer)
            line.appendBytes(#"{"ts":""#)
            UTCTimestamp.appendNow(to: &line)
            line.appendBytes(#"","level":""#)
            line.appendUTF8(level.name)
            line.appendBytes(#"","#)
            line.appendBytes(labelField)
            line.appendBytes(#","msg":"#)
            appendMessage(&line)
            line.appendBytes(contextFields)
            appendFields(&line)
            line.appendBytes("}\n")
            line.withBytes { sink.enqueue($0) }
        }
    }

    /// Writes a line at ``LogLevel/trace``.
    public func trace(
        _ message: @autoclosure () -> String, _ fields: @autoclosure () -> KeyValuePairs<String, LogValue> = [:]
    ) {
        log(.trace, message(), fields())
    }

    /// Writes a line at ``LogLevel/debug``.
    public func debug(
        _ message: @autoclosure () -> String, _ fields: @autoclosure () -> KeyValuePairs<String, LogValue> = [:]
    ) {
        log(.debug, message(), fields())
    }

    /// Writes a line at ``LogLevel/info``.
    public func info(
        _ message: @autoclosure () -> String, _ fields: @autoclosure () -> KeyValuePairs<String, LogValue> = [:]
    ) {
        log(.info, message(), fields())
    }

    /// Writes a line at ``LogLevel/notice``.
    public func notice(
        _ message: @autoclosure () -> String, _ fields: @autoclosure () -> KeyValuePairs<String, LogValue> = [:]
    ) {
        log(.notice, message(), fields())
    }

    /// Writes a line at ``LogLevel/warning``.
    public func warning(
        _ message: @autoclosure () -> String, _ fields: @autoclosure () -> KeyValuePairs<String, LogValue> = [:]
    ) {
        log(.warning, message(), fields())
    }

    /// Writes a line at ``LogLevel/error``.
    public func error(
        _ message: @autoclosure () -> String, _ fields: @autoclosure () -> KeyValuePairs<String, LogValue> = [:]
    ) {
        log(.error, message(), fields())
    }

    /// Writes a line at ``LogLevel/critical``.
    public func critical(
        _ message: @autoclosure () -> String, _ fields: @autoclosure () -> KeyValuePairs<String, LogValue> = [:]
    ) {
        log(.critical, message(), fields())
    }
}
