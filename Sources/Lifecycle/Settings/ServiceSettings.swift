/// Every setting of the service, read from environment variables; each field's `///` names its variable.
///
/// Each default is written once: the field's initial value, or for what configures the HTTP server and the pool, the
/// default of their own configuration types. Ranges and descriptions are in the reader calls. `check-config` and
/// `describe` print them all.
///
/// Load once at startup; a bad configuration must stop the process (exit 78) before anything binds or connects:
/// ```swift
/// do {
///     let settings = try ServiceSettings.load(from: .process())
/// } catch {
///     print(error)  // one line per problem: "DATABASE_URL: must not be empty"
///     exit(78)
/// }
/// ```
public struct ServiceSettings: Sendable, Hashable {
    /// The shutdown budget's safety margin: time for the process to exit after the last hook. 2 s.
    public static let margin: Duration = .seconds(2)

    /// The traffic port: `HTTP_*`.
    public var http = HTTP()
    /// The admin port: `ADMIN_*`.
    public var admin = Admin()
    /// `IO_THREADS`: event-loop threads serving both ports; 0 means one per usable CPU
    /// (from the cgroup quota, see `CPUCount.usable()`).
    public var ioThreads = 0
    /// Startup deadline and the SIGTERM shutdown budget.
    public var lifespan = Lifespan()
    /// Probe checks and the thresholds that turn `/livez` red.
    public var health = Health()
    /// The database and its connection pool: `DATABASE_*`, `DB_*`.
    public var database: Database
    /// `LOG_LEVEL`, `ACCESS_LOG`, `REQUEST_METRICS`.
    public var logging = Logging()
    /// `ENABLE_TEST_HOOKS`: enables hidden test-only hooks (such as blocking an event loop).
    /// Never set in production.
    public var enableTestHooks = false

    /// Creates settings with every default; only the database has none.
    public init(database: Database) {
        self.database = database
    }

    /// Reads every variable, recording problems in `reader` instead of stopping.
    ///
    /// When `reader` has problems afterwards the result holds fallbacks and must not be used: call
    /// `reader.throwIfProblems()`. Use this rather than ``load(from:)`` to read the app's own settings in the same
    /// pass, so all problems are reported together.
    public init(reader: inout SettingsReader) {
        http = HTTP(reader: &reader)
        admin = Admin(reader: &reader)
        if http.port == admin.port, http.port != 0, !reader.hasProblem("HTTP_PORT"), !reader.hasProblem("ADMIN_PORT") {
            reader.report("ADMIN_PORT", "must differ from HTTP_PORT (both are \(http.port)); only 0 (any free port) may repeat")
        }
        ioThreads = reader.int("IO_THREADS", default: ioThreads, range: 0...1024, doc: "Event-loop threads; 0 = one per usable CPU.")
        lifespan = Lifespan(reader: &reader)
        health = Health(reader: &reader)
        database = Database(reader: &reader)
        logging = Logging(reader: &reader)
        enableTestHooks = reader.bool("ENABLE_TEST_HOOKS", default: enableTestHooks, doc: "Hidden test-only hooks; never in production.")
    }

    /// Reads and validates every setting from `environment`, throwing all problems at once.
    public static func load(from environment: Environment) throws(SettingsError) -> ServiceSettings {
        var reader = SettingsReader(environment)
        let settings = ServiceSettings(reader: &reader)
        try reader.throwIfProblems()
        return settings
    }

    /// Every variable the service reads, with its default and doc, in reading order (for `check-config` and the README).
    public static var variables: [SettingsReader.Variable] {
        var reader = SettingsReader(Environment([:]))
        _ = ServiceSettings(reader: &reader)
        return reader.variables
    }

    /// What `terminationGracePeriodSeconds` must be at least: shutdown delay + drain timeout + shutdown hook timeout
    /// + ``margin``.
    public var requiredGracePeriod: Duration {
        lifespan.requiredGracePeriod
    }
}
