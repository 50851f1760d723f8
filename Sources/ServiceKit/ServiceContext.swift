public import Observability
public import Postgres

/// What the kit hands an application when it is built.
public struct ServiceContext: Sendable {
    /// The PostgreSQL pool, opened before traffic and closed after the last request.
    public let pool: PostgresPool
    /// The service's logger (JSON lines on stdout).
    public let logger: Logger
    /// The registry `/metrics` renders: register the application's own series here.
    public let metrics: MetricsRegistry
}
