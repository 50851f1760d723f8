import Glibc
import Synchronization
public import HTTPServer
public import IO
public import Lifecycle
public import Observability
import Postgres

/// Wires a service around an application: event loops, the database pool, both ports, probes, metrics, lifespan
/// and drain. ``ServiceCommand`` builds one for `serve` and `describe`.
public struct ServiceAssembly: Sendable {
    /// The runner that serves until SIGTERM.
    public let runner: ServiceRunner
    /// The event loops (shared by HTTP and PostgreSQL).
    public let group: EventLoopGroup

    /// Routes of the traffic port, for `describe` and the OpenAPI test.
    public let trafficRoutes: [Router.Route]
    /// Routes of the admin port.
    public let adminRoutes: [Router.Route]

    /// Wires `App` with its settings from `configuration`.
    public init<App: ServiceApplication>(
        _ app: App.Type, settings: App.Settings, configuration: ServiceConfiguration, logger: Logger
    ) throws {
        let group = try EventLoopGroup(threadCount: configuration.ioThreads > 0 ? configuration.ioThreads : CPUCount.usable())
        if let error = group.batchSchedulingError {
            logger.warning("event loops run under the default scheduling policy", [
                "event": "startup.scheduling", "error": .string(String(describing: error)),
            ])
        }
        let metrics = MetricsRegistry()
        let acquireWait = metrics.histogram(
            "db_pool_acquire_wait_seconds", help: "Time to lease a pool connection, waiting included.", buckets: Self.acquireWaitBuckets
        )
        let pool = PostgresPool(
            configurationSource: configuration.database, poolConfiguration: configuration.pool, eventLoopGroup: group,
            logger: logger.labeled("postgres"), acquireWaitObserver: { acquireWait.observe($0.seconds) }
        )
        let health = HealthRegistry(checkInterval: configuration.readinessCheckInterval, checkTimeout: configuration.readinessCheckTimeout)
        var http = configuration.http
        http.logger = logger.labeled("http")
        if configuration.requestMetrics || configuration.accessLog {
            let httpMetrics = HTTPMetrics(
                registry: configuration.requestMetrics ? metrics : nil,
                accessLogger: configuration.accessLog ? logger.labeled("access") : nil
            )
            http.onRequestFinished = { httpMetrics.record($0) }
        }
        let application = try App(settings: settings, context: ServiceContext(pool: pool, logger: logger, metrics: metrics))
        var trafficRouter = Self.trafficRouter(
            pool: pool, health: health, openAPIDocument: App.openAPIDocument, testHooks: configuration.testHooks, logger: logger
        )
        application.addRoutes(to: &trafficRouter)
        let trafficServer = HTTPServer(configuration: http, responder: trafficRouter, group: group)
        let drain = DrainController(shutdownDelay: configuration.shutdownDelay, health: health, trafficServer: trafficServer, logger: logger)
        let adminRouter = Self.adminRouter(
            health: health, drain: drain, prestopAuthorization: configuration.prestopAuthorization, metrics: metrics, group: group,
            testHooks: configuration.testHooks, logger: logger)
        let adminServer = HTTPServer(
            configuration: HTTPServerConfiguration(
                host: configuration.adminHost, port: configuration.adminPort, timeouts: http.timeouts,
                maxConnections: ServiceConfiguration.adminMaxConnections, logger: logger.labeled("admin")
            ),
            responder: adminRouter, group: group
        )

        Self.addHealthChecks(
            health: health, pool: pool, group: group, requiredSchemaVersion: App.migrations.requiredVersion, configuration: configuration
        )
        application.addReadinessChecks(to: health)
        Self.addMetrics(
            metrics: metrics, pool: pool, health: health, trafficServer: trafficServer, requestMetrics: configuration.requestMetrics, group: group
        )

        var lifespan = Lifespan()
        // The pool's connection loop is a child of the runner: closing the pool (the step's shutdown) ends it, and
        // any earlier end shuts the service down with exit 1.
        lifespan.addBackgroundTask("database pool") { await pool.run() }
        lifespan.add("database pool", startupTimeout: configuration.startupDeadline, shutdownTimeout: configuration.shutdownHookTimeout) {
            try await Self.waitForDatabase(pool: pool, startupDeadline: configuration.startupDeadline, logger: logger)
        } shutdown: {
            await pool.close(timeout: configuration.shutdownHookTimeout - .milliseconds(250))
        }

        runner = ServiceRunner(
            trafficServer: trafficServer, adminServer: adminServer, health: health, drain: drain, lifespan: lifespan,
            timing: .init(
                drainTimeout: configuration.drainTimeout, startupDeadline: configuration.startupDeadline,
                terminationGracePeriod: configuration.terminationGracePeriod),
            logger: logger
        )
        self.group = group
        trafficRoutes = trafficRouter.routes
        adminRoutes = adminRouter.routes
    }

    /// The traffic port's kit routes: the public probes, the OpenAPI document and, when enabled, the test hooks.
    static func trafficRouter(
        pool: PostgresPool, health: HealthRegistry, openAPIDocument: [UInt8]?, testHooks: Bool = false, logger: Logger
    ) -> Router {
        var router = Router()
        router.errorMapper = problem(for:)
        router.errorReporter = { error, request in
            logger.with(request).error("unexpected error", [
                "event": "http.error", "route": .string(request.route ?? "unmatched"), "error": .string(String(reflecting: error)),
            ])
        }
        HealthRoutes.install(into: &router, registry: health, detailed: false) { probe, result in
            logger.warning("probe check failed", ["event": "health.failed", "probe": .string(probe), "check": .string(result.name), "reason": .string(result.result.reason ?? "")])
        }
        if let openAPIDocument {
            router.get("/openapi.json") { _ in .json(bytes: openAPIDocument) }
        }
        if testHooks {
            // A request that holds a pool connection in the database for as long as asked, so tests can keep work in
            // flight through a drain (and see it cancelled on the server) or fill the pool. Reads nothing, changes nothing.
            router.get("/debug/sleep") { request in
                guard let seconds = try request.queryParameter("seconds").flatMap(Double.init), (0...600).contains(seconds) else {
                    throw HTTPError(.badRequest, detail: "seconds must be a number from 0 to 600.")
                }
                _ = try await pool.query("SELECT pg_sleep($1)", seconds)
                logger.with(request).info("slept", ["event": "debug.sleep", "seconds": .double(seconds)])
                return try .json(["slept": seconds])
            }
        }
        return router
    }

    static func adminRouter(
        health: HealthRegistry, drain: DrainController, prestopAuthorization: PrestopAuthorization, metrics: MetricsRegistry,
        group: EventLoopGroup, testHooks: Bool, logger: Logger
    ) -> Router {
        var router = Router()
        HealthRoutes.install(into: &router, registry: health, detailed: true)
        if !prestopAuthorization.isEnabled {
            logger.warning("PRESTOP_TOKEN is not set: /prestop refuses every call; SIGTERM alone serves the shutdown delay", [
                "event": "startup.prestop_disabled",
            ])
        }
        // Only the kubelet's preStop hook sends the token: a stray caller (a scraper, any pod reaching the admin
        // port) must not take the pod out of the endpoints.
        router.get("/prestop") { request in
            if case .refused(let reason) = prestopAuthorization.decide(presented: request.headers.values(for: PrestopAuthorization.headerName)) {
                logger.warning("refused /prestop", [
                    "event": "prestop.refused", "reason": .string(reason), "remote_address": .string(request.remoteAddress),
                ])
                return try .json(["status": "forbidden"], status: .forbidden)
            }
            await drain.prestop()
            return try .json(["status": "draining"])
        }
        router.get("/metrics") { _ in
            Response(status: .ok, headers: ["Content-Type": MetricsRegistry.contentType], body: metrics.render())
        }
        if testHooks {
            // Blocks one event loop's thread on purpose, so tests can watch liveness turn red.
            router.post("/debug/block-loop/{index}") { request in
                let index = try request.parameters.require("index", as: Int.self)
                let seconds = UInt32(try request.queryParameter("seconds") ?? "10") ?? 10
                guard group.loops.indices.contains(index) else { throw HTTPError(.notFound) }
                logger.warning("test hook: blocking an event loop", ["event": "debug.block_loop", "loop": .int(index)])
                group.loops[index].execute { sleep(seconds) }
                return Response(status: .accepted)
            }
        }
        return router
    }

    static func addHealthChecks(
        health: HealthRegistry, pool: PostgresPool, group: EventLoopGroup, requiredSchemaVersion: Int, configuration: ServiceConfiguration
    ) {
        let stall = configuration.livenessStall
        health.addLivenessCheck("eventloops") {
            let now = MonotonicInstant.now()
            for loop in group.loops where now.duration(since: loop.lastHeartbeat) > stall {
                return .unhealthy("event loop \(loop.index) has not turned for \(now.duration(since: loop.lastHeartbeat))")
            }
            return .healthy
        }
        let wedge = configuration.poolWedge
        let created = MonotonicInstant.now()
        health.addLivenessCheck("pool") {
            // A database outage is readiness's business; only a pool that stays stuck while the
            // database accepts fresh connections (a zombie pool) warrants a restart.
            let now = MonotonicInstant.now()
            let statistics = pool.statistics
            guard health.isStarted, statistics.waiters > 0,
                now.duration(since: pool.lastSuccessfulLease ?? created) > wedge
            else { return .healthy }
            do {
                try await pool.probeFreshConnection(timeout: .seconds(1))
            } catch {
                return .healthy
            }
            return .unhealthy("the pool has served nothing for over \(wedge) while the database accepts connections")
        }
        // Neither check waits for a request slot: a busy pool is load to shed (503 on the requests that find no
        // connection), not a reason to leave the endpoints. One query serves both: the database check reads the
        // schema version as its proof of reachability, and the schema check judges the last version read, so a busy
        // pool costs at most one connection outside it per interval, not one per check.
        let checkTimeout = configuration.readinessCheckTimeout
        let appliedVersion = Mutex<Int?>(nil)
        health.addReadinessCheck("database") {
            try await pool.checkDatabase(recentSuccess: configuration.readinessCheckInterval, timeout: checkTimeout) { connection in
                let applied = try await Migrator.appliedVersion(on: connection)
                appliedVersion.withLock { $0 = applied }
            }
        }
        health.addReadinessCheck("schema") {
            let applied: Int
            if let known = appliedVersion.withLock({ $0 }) {
                applied = known
            } else {
                // Not read yet (the first round runs both checks at once): read it once on a health connection.
                applied = try await pool.withHealthConnection(timeout: checkTimeout) { try await Migrator.appliedVersion(on: $0) }
                appliedVersion.withLock { $0 = applied }
            }
            guard applied >= requiredSchemaVersion else {
                throw Migrator.Failure(description: "schema version \(applied) is older than the \(requiredSchemaVersion) this binary needs: run `migrate`")
            }
        }
    }

    static func addMetrics(
        metrics: MetricsRegistry, pool: PostgresPool, health: HealthRegistry, trafficServer: HTTPServer, requestMetrics: Bool, group: EventLoopGroup
    ) {
        ProcessMetrics.register(into: metrics)
        metrics.gauge("http_open_connections", help: "Open connections on the traffic port.") { Double(trafficServer.openConnectionCount) }
        for reason in AcceptErrorReason.allCases {
            metrics.counter("http_accept_errors_total", help: "Failed accepts on the traffic port, by errno (emfile: out of descriptors).", labels: [("reason", reason.rawValue)]) {
                Double(trafficServer.acceptErrorCount(reason))
            }
        }
        if requestMetrics {
            metrics.gauge("http_requests_in_flight", help: "Requests being handled on the traffic port.") {
                Double(trafficServer.requestsInFlightCount)
            }
        }
        for state in ["idle", "in_use", "connecting"] {
            metrics.gauge("db_pool_connections", help: "Pool connections by state.", labels: [("state", state)]) {
                let statistics = pool.statistics
                switch state {
                case "idle": return Double(statistics.idle)
                case "in_use": return Double(statistics.inUse)
                default: return Double(statistics.connecting)
                }
            }
        }
        metrics.gauge("db_pool_waiters", help: "Requests waiting for a pool connection.") { Double(pool.statistics.waiters) }
        metrics.counter("db_pool_connect_errors_total", help: "Failed connection attempts.") { Double(pool.statistics.connectFailures) }
        metrics.counter("db_pool_acquired_total", help: "Connections leased from the pool.") { Double(pool.statistics.acquiredTotal) }
        metrics.counter("db_pool_acquire_timeouts_total", help: "Callers that found no connection free in time (503).") {
            Double(pool.statistics.acquireTimeouts)
        }
        metrics.counter("db_pool_retries_total", help: "Statements run again on another connection after theirs broke.") {
            Double(pool.statistics.retriesTotal)
        }
        metrics.gauge("service_ready", help: "1 when startup finished and termination has not begun.") {
            health.isStarted && !health.isTerminating ? 1 : 0
        }
        metrics.gauge("service_draining", help: "1 once termination began.") { health.isTerminating ? 1 : 0 }
        metrics.gauge("event_loop_lag_seconds", help: "Time since the slowest event loop last turned.") {
            let now = MonotonicInstant.now()
            return group.loops.map { now.duration(since: $0.lastHeartbeat).seconds }.max() ?? 0
        }
        metrics.counter("log_lines_dropped_total", help: "Log lines dropped because stdout was blocked.") {
            Double(LogSink.standardOutput.droppedLines)
        }
    }

    /// From an idle connection's microseconds up past the default 2 s acquire timeout.
    static let acquireWaitBuckets: [Double] = [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5]

    /// Why startup gave up on the database.
    ///
    /// It shows libpq's own message (`String(reflecting:)`), such as "Connection refused" or "password authentication
    /// failed": the operator needs it, and libpq never puts the password in it.
    struct DatabaseUnreachable: Error, CustomStringConvertible {
        let startupDeadline: Duration
        let lastConnectError: PostgresError?
        let lastError: any Error

        var description: String {
            let reason = lastConnectError.map { "last connect error: \(String(reflecting: $0))" } ?? "last error: \(lastError)"
            return "the database did not answer within the startup deadline (STARTUP_DEADLINE_SECONDS=\(startupDeadline.seconds)); \(reason)"
        }
    }

    /// Retries `SELECT 1` with jittered backoff until the database answers, or fails with ``DatabaseUnreachable`` just
    /// before `startupDeadline` has passed.
    ///
    /// It gives up a little before the runner's own limit, so that the log says what the database answered rather
    /// than only that the step took too long.
    static func waitForDatabase(pool: PostgresPool, startupDeadline: Duration, logger: Logger) async throws {
        let deadline = MonotonicInstant.now() + (startupDeadline - min(startupDeadline / 10, .milliseconds(500)))
        var backoff = Backoff(initial: .milliseconds(100), maximum: .seconds(5))
        while true {
            let failure: any Error
            do {
                _ = try await withDeadline(deadline.duration(since: .now()), operation: "SELECT 1") { try await pool.query("SELECT 1") }
                return
            } catch {
                try Task.checkCancellation()
                failure = error
            }
            let remaining = deadline.duration(since: .now())
            guard remaining > .zero else {
                throw DatabaseUnreachable(startupDeadline: startupDeadline, lastConnectError: pool.lastConnectError, lastError: failure)
            }
            let delay = min(backoff.next(), remaining)
            logger.warning("database not reachable yet; retrying", [
                "event": "startup.database_retry", "error": .string(String(describing: failure)),
                "last_connect_error": .string(pool.lastConnectError.map { String(reflecting: $0) } ?? ""),
                "retry_in_ms": .milliseconds(delay),
            ])
            try await Task.sleep(for: delay)
        }
    }
}
