public import HTTPServer
public import Lifecycle

/// What an application supplies to the kit: its routes, migrations, readiness checks, settings and API document.
///
/// Everything else a Kubernetes service needs (event loops, the PostgreSQL pool, the admin port with probes and
/// metrics, access logs, the SIGTERM drain, `migrate`, `check-config`, `describe`) comes from ``ServiceCommand``:
/// ```swift
/// struct Greeter: ServiceApplication {
///     static let migrations = [Migration(version: 1, name: "create_greetings", sql: "CREATE TABLE greetings (...)")]
///     let context: ServiceContext
///     init(settings: Void, context: ServiceContext) { self.context = context }
///     func addRoutes(to router: inout Router) {
///         router.get("/hello") { _ in .json(["greeting": "hello"]) }
///     }
/// }
/// // main.swift
/// exit(await ServiceCommand.run(Greeter.self))
/// ```
public protocol ServiceApplication: Sendable {
    /// The application's own settings; `Void` when it has none.
    associatedtype Settings: Sendable = Void

    /// Reads the application's settings from the same reader as the kit's, so that `check-config` lists them and a
    /// bad value is reported with every other problem at once (exit 78).
    static func readSettings(from reader: inout SettingsReader) -> Settings

    /// The schema, in order; `migrate` applies them and readiness stays red until the last one is applied.
    /// Never edit or reorder a migration that has shipped: `migrate` refuses a changed checksum.
    static var migrations: [Migration] { get }

    /// The OpenAPI document of the traffic port, served at `GET /openapi.json`; nil serves none.
    static var openAPIDocument: [UInt8]? { get }

    /// Builds the application once the kit has its pool, logger and metrics; nothing is connected yet.
    init(settings: Settings, context: ServiceContext) throws

    /// Adds the application's routes to the traffic port's router (the probes are there already).
    func addRoutes(to router: inout Router)

    /// Adds readiness checks beyond the kit's own (`database`, `schema`); each runs at most once per
    /// `READINESS_CHECK_INTERVAL_SECONDS` and must answer within `READINESS_CHECK_TIMEOUT_SECONDS`.
    func addReadinessChecks(to health: HealthRegistry)
}

extension ServiceApplication where Settings == Void {
    /// No settings of its own.
    public static func readSettings(from reader: inout SettingsReader) {}
}

extension ServiceApplication {
    /// No migrations.
    public static var migrations: [Migration] { [] }
    /// No OpenAPI document.
    public static var openAPIDocument: [UInt8]? { nil }
    /// No readiness checks of its own.
    public func addReadinessChecks(to health: HealthRegistry) {}
}
