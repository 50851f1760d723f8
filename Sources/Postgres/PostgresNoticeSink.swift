import CLibPQ
public import Observability

/// Turns the server's notices and warnings (`RAISE NOTICE`, "there is no transaction in progress", ...)
/// into structured log lines.
///
/// Without it libpq prints them to stderr as free text, which breaks one-JSON-object-per-line logs.
/// Each connection keeps a strong reference, so the sink outlives every `PGconn` that points at it.
public final class PostgresNoticeSink: Sendable {
    private let logger: Logger?

    /// Creates a sink that logs to `logger`; with `nil`, notices are discarded.
    public init(logger: Logger?) {
        self.logger = logger
    }

    /// Points `connection`'s notice receiver at this sink.
    func install(on connection: OpaquePointer) {
        PQsetNoticeReceiver(connection, { context, result in
            guard let context, let result else { return }
            Unmanaged<PostgresNoticeSink>.fromOpaque(context).takeUnretainedValue().receive(result)
        }, Unmanaged.passUnretained(self).toOpaque())
    }

    private func receive(_ result: OpaquePointer) {
        guard let logger else { return }
        // The PG_DIAG_* field codes are character macros, which Swift does not import.
        func field(_ code: Unicode.Scalar) -> String {
            PQresultErrorField(result, Int32(code.value)).map { String(cString: $0) } ?? ""
        }
        let severity = field("V")
        let level: LogLevel =
            switch severity {
            case "WARNING": .warning
            case "NOTICE": .notice
            case "INFO": .info
            default: .debug
            }
        logger.log(level, "database notice", [
            "event": "db.notice", "severity": .string(severity), "sqlstate": .string(field("C")), "detail": .string(field("M")),
        ])
    }
}
