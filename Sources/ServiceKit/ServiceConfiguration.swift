public import HTTPServer
public import Lifecycle
public import Observability
public import Postgres

/// Everything ``ServiceAssembly`` needs, already typed and validated (``ServiceCommand`` builds it from the
/// environment's ``ServiceSettings``).
public struct ServiceConfiguration: Sendable {
    /// The traffic port's server settings.
    public var http: HTTPServerConfiguration
    /// The admin port's address.
    public var adminHost: String
    /// The admin port (0 picks a free one).
    public var adminPort: Int
    /// Event-loop threads; 0 means one per usable CPU.
    public var ioThreads: Int
    /// Where the pool gets each new connection's configuration (a mounted Secret may change it while running).
    public var database: PostgresConfigurationSource
    /// The pool's sizes and timeouts.
    public var pool: PostgresPoolConfiguration
    /// How long to keep serving after termination begins.
    public var shutdownDelay: Duration
    /// How long in-flight requests may take after the listener closed.
    public var drainTimeout: Duration
    /// The pod's `terminationGracePeriodSeconds`: a `/prestop` that no SIGTERM follows within it ends the process.
    public var terminationGracePeriod: Duration
    /// Who may call `/prestop` (the token of its `X-Prestop-Token` header).
    public var prestopAuthorization: PrestopAuthorization
    /// The time limit of each lifespan shutdown step.
    public var shutdownHookTimeout: Duration
    /// How long startup may take, retries included.
    public var startupDeadline: Duration
    /// How often readiness checks may run.
    public var readinessCheckInterval: Duration
    /// A readiness check's own time limit (shorter than the probe's timeout).
    public var readinessCheckTimeout: Duration
    /// An event loop silent this long turns liveness red.
    public var livenessStall: Duration
    /// The pool serving nothing this long, while a fresh connection works, turns liveness red.
    public var poolWedge: Duration
    /// Log one line per request.
    public var accessLog: Bool
    /// Keep per-request Prometheus series (count, duration, in flight).
    public var requestMetrics: Bool
    /// Enables `/debug/block-loop` on the admin port and `/debug/sleep` on the traffic port, for tests only.
    public var testHooks: Bool
    /// The minimum log level.
    public var logLevel: LogLevel

    /// Every field; the defaults are the settings' (``init(settings:)``).
    init(
        http: HTTPServerConfiguration, adminHost: String, adminPort: Int, ioThreads: Int, database: PostgresConfigurationSource,
        pool: PostgresPoolConfiguration, shutdownDelay: Duration, drainTimeout: Duration, terminationGracePeriod: Duration,
        prestopAuthorization: PrestopAuthorization, shutdownHookTimeout: Duration, startupDeadline: Duration,
        readinessCheckInterval: Duration, readinessCheckTimeout: Duration, livenessStall: Duration, poolWedge: Duration, accessLog: Bool,
        requestMetrics: Bool, testHooks: Bool, logLevel: LogLevel
    ) {
        self.http = http
        self.adminHost = adminHost
        self.adminPort = adminPort
        self.ioThreads = ioThreads
        self.database = database
        self.pool = pool
        self.shutdownDelay = shutdownDelay
        self.drainTimeout = drainTimeout
        self.terminationGracePeriod = terminationGracePeriod
        self.prestopAuthorization = prestopAuthorization
        self.shutdownHookTimeout = shutdownHookTimeout
        self.startupDeadline = startupDeadline
        self.readinessCheckInterval = readinessCheckInterval
        self.readinessCheckTimeout = readinessCheckTimeout
        self.livenessStall = livenessStall
        self.poolWedge = poolWedge
        self.accessLog = accessLog
        self.requestMetrics = requestMetrics
        self.testHooks = testHooks
        self.logLevel = logLevel
    }
}

extension ServiceConfiguration {
    /// Connections the admin port accepts at once: probes, the preStop hook and scrapes need few.
    public static let adminMaxConnections = 64
    /// Descriptors besides connections: listeners, event loops, standard streams, the spare descriptors of the
    /// listeners, and room to spare.
    static let descriptorMargin = 64

    /// The descriptors this configuration may hold at once: every traffic and admin connection, every pool connection,
    /// and ``descriptorMargin``.
    public var descriptorsNeeded: Int {
        http.maxConnections + Self.adminMaxConnections + pool.maximumConnections + Self.descriptorMargin
    }

    /// Why an open-file limit of `limit` cannot hold what this configuration allows, naming the settings; nil when it can.
    public func descriptorShortfall(limit: Int) -> String? {
        guard descriptorsNeeded > limit else { return nil }
        return "RLIMIT_NOFILE (\(limit), raised to the hard limit) is below HTTP_MAX_CONNECTIONS (\(http.maxConnections)) + DB_POOL_MAX "
            + "(\(pool.maximumConnections)) + the admin port (\(Self.adminMaxConnections)) + \(Self.descriptorMargin) others: past the limit, "
            + "new connections are answered 503 and closed; lower HTTP_MAX_CONNECTIONS or raise the container's open-file limit"
    }
}
