import IO
import Postgres
import Observability
extension ServiceSettings {
    /// Every variable with its effective value, in reading order, safe to log: passwords in the database URL become
    /// `***`, and `_FILE` variables show the path, never the contents. Unset optional variables show `(unset)`.
    public var effectiveConfiguration: [(name: String, value: String)] {
        [
            ("HTTP_HOST", http.host),
            ("HTTP_PORT", String(http.port)),
            ("HTTP_MAX_HEADER_BYTES", String(http.maxHeaderBytes)),
            ("HTTP_MAX_HEADER_COUNT", String(http.maxHeaderCount)),
            ("HTTP_MAX_FIELD_LINE_BYTES", String(http.maxFieldLineBytes)),
            ("HTTP_MAX_TARGET_BYTES", String(http.maxTargetBytes)),
            ("HTTP_MAX_BODY_BYTES", String(http.maxBodyBytes)),
            ("HTTP_MAX_CONNECTIONS", String(http.maxConnections)),
            ("HTTP_HEADER_TIMEOUT_SECONDS", http.headerTimeout.settingsText),
            ("HTTP_BODY_TIMEOUT_SECONDS", http.bodyTimeout.settingsText),
            ("HTTP_IDLE_TIMEOUT_SECONDS", http.idleTimeout.settingsText),
            ("HTTP_WRITE_TIMEOUT_SECONDS", http.writeTimeout.settingsText),
            ("HTTP_HANDLER_TIMEOUT_SECONDS", http.handlerTimeout.settingsText),
            ("ADMIN_HOST", admin.host),
            ("ADMIN_PORT", String(admin.port)),
            ("PRESTOP_TOKEN", admin.prestopToken.map { $0.path == nil ? "***" : Self.unset } ?? Self.unset),
            ("PRESTOP_TOKEN_FILE", admin.prestopToken?.path ?? Self.unset),
            ("IO_THREADS", String(ioThreads)),
            ("SHUTDOWN_DELAY_SECONDS", lifespan.shutdownDelay.settingsText),
            ("DRAIN_TIMEOUT_SECONDS", lifespan.drainTimeout.settingsText),
            ("SHUTDOWN_HOOK_TIMEOUT_SECONDS", lifespan.shutdownHookTimeout.settingsText),
            ("TERMINATION_GRACE_PERIOD_SECONDS", lifespan.terminationGracePeriod?.settingsText ?? Self.unset),
            ("STARTUP_DEADLINE_SECONDS", lifespan.startupDeadline.settingsText),
            ("READINESS_CHECK_INTERVAL_SECONDS", health.readinessCheckInterval.settingsText),
            ("READINESS_CHECK_TIMEOUT_SECONDS", health.readinessCheckTimeout.settingsText),
            ("LIVENESS_STALL_SECONDS", health.livenessStall.settingsText),
            ("POOL_WEDGE_SECONDS", health.poolWedge.settingsText),
            ("DATABASE_URL", (try? PostgresConnectionString(database.url.value))?.redacted ?? "***"),
            ("DATABASE_URL_FILE", database.url.path ?? Self.unset),
            ("DATABASE_PASSWORD_FILE", database.password.map { $0.path ?? "***" } ?? Self.unset),
            ("DB_POOL_MIN", String(database.poolMin)),
            ("DB_POOL_MAX", String(database.poolMax)),
            ("DB_CONNECT_TIMEOUT_SECONDS", database.connectTimeout.settingsText),
            ("DB_ACQUIRE_TIMEOUT_SECONDS", database.acquireTimeout.settingsText),
            ("DB_STATEMENT_TIMEOUT_MS", String(database.statementTimeout.map { $0.nanoseconds / 1_000_000 } ?? 0)),
            ("DB_IDLE_TIMEOUT_SECONDS", database.idleTimeout.settingsText),
            ("DB_MAX_LIFETIME_SECONDS", database.maxLifetime.settingsText),
            ("DB_APPLICATION_NAME", database.applicationName),
            ("DB_PREPARED_STATEMENTS", String(database.preparedStatements)),
            ("LOG_LEVEL", logging.level.rawValue),
            ("ACCESS_LOG", String(logging.accessLog)),
            ("REQUEST_METRICS", String(logging.requestMetrics)),
            ("ENABLE_TEST_HOOKS", String(enableTestHooks)),
        ]
    }

    /// ``effectiveConfiguration`` as `NAME=value` lines, for the startup log and `check-config`.
    public var redactedDescription: String {
        effectiveConfiguration.map { "\($0.name)=\($0.value)" }.joined(separator: "\n")
    }

    private static let unset = "(unset)"
}
