import HTTPServer
import Lifecycle
import Observability
import Postgres

extension ServiceConfiguration {
    /// Maps validated settings onto the service's typed configuration: the one way to make one, so every default is
    /// the settings'.
    ///
    /// - Throws: ``PostgresError`` when libpq itself rejects `DATABASE_URL` (its message never echoes the string).
    public init(settings: ServiceSettings) throws {
        let http = settings.http
        let database = settings.database
        let postgres = try database.configurationSource(logger: Logger(label: "service", level: settings.logging.level).labeled("settings"))
        var pool = PostgresPoolConfiguration()
        pool.minimumConnections = database.poolMin
        pool.maximumConnections = database.poolMax
        pool.acquireTimeout = database.acquireTimeout
        pool.idleTimeout = database.idleTimeout
        pool.maximumLifetime = database.maxLifetime
        // Readiness can turn green only once the pool has reconnected, so the pool must try again at least twice per
        // readiness interval: a database that comes back is then ready within about one interval, however long the
        // outage (with the pool's own 10 s cap, a long outage left the pod unready for up to 10 s more).
        pool.maximumReconnectBackoff = min(pool.maximumReconnectBackoff, settings.health.readinessCheckInterval / 2)
        self.init(
            http: HTTPServerConfiguration(
                host: http.host, port: http.port,
                limits: HTTPLimits(
                    maxTargetBytes: http.maxTargetBytes, maxHeadBytes: http.maxHeaderBytes, maxHeaderCount: http.maxHeaderCount,
                    maxBodyBytes: http.maxBodyBytes, maxFieldLineBytes: http.maxFieldLineBytes
                ),
                timeouts: .init(
                    header: http.headerTimeout, body: http.bodyTimeout, idle: http.idleTimeout, write: http.writeTimeout,
                    handler: http.handlerTimeout
                ),
                maxConnections: http.maxConnections
            ),
            adminHost: settings.admin.host, adminPort: settings.admin.port, ioThreads: settings.ioThreads, database: postgres, pool: pool,
            shutdownDelay: settings.lifespan.shutdownDelay, drainTimeout: settings.lifespan.drainTimeout,
            terminationGracePeriod: settings.lifespan.effectiveTerminationGracePeriod,
            prestopAuthorization: PrestopAuthorization(token: settings.admin.prestopToken?.value),
            shutdownHookTimeout: settings.lifespan.shutdownHookTimeout, startupDeadline: settings.lifespan.startupDeadline,
            readinessCheckInterval: settings.health.readinessCheckInterval, readinessCheckTimeout: settings.health.readinessCheckTimeout,
            livenessStall: settings.health.livenessStall, poolWedge: settings.health.poolWedge, accessLog: settings.logging.accessLog,
            requestMetrics: settings.logging.requestMetrics, testHooks: settings.enableTestHooks, logLevel: settings.logging.level
        )
    }
}
