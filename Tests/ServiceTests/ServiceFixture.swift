import IO
import Postgres
import TestSupport
import Testing

/// An executable built on the kit: the contract tests run against each of them.
enum ServiceExecutable: String, CaseIterable, CustomTestStringConvertible {
    /// The example items service.
    case service = "service"
    /// The smallest service on the kit (Sources/MinimalService).
    case minimal = "minimal-service"

    var testDescription: String { rawValue }
}

/// The service binaries and the databases the end-to-end tests run them against.
///
/// Each test gets a schema of its own on the shared cluster (its `search_path`, set in the URL), or a dedicated
/// cluster when it stops PostgreSQL, because suites run in parallel with each other and with the other targets'
/// tests. Schemas rather than databases: `CREATE DATABASE` copies a template and costs the shared server far more.
enum ServiceFixture {
    /// A kit route that runs a statement on a pool connection (`ENABLE_TEST_HOOKS=true`): the contract tests use it
    /// rather than an application's routes, so they hold for any application, the example replaced or not.
    static let databaseRoute = "/debug/sleep?seconds=0"

    static let group: EventLoopGroup = {
        do { return try EventLoopGroup(threadCount: 1) } catch { fatalError("event loops: \(error)") }
    }()

    /// The binary under test, next to the test executable.
    static func binary(_ executable: ServiceExecutable = .service) throws -> String {
        try ServiceProcess.executable(named: executable.rawValue)
    }

    /// Settings every test starts from: loopback, ports picked by the kernel (the service logs them), two event
    /// loops, and a drain short enough to keep the suite fast. `overrides` wins.
    static func environment(url: String, _ overrides: [String: String] = [:]) -> [String: String] {
        let base = [
            "DATABASE_URL": url, "HTTP_HOST": "127.0.0.1", "HTTP_PORT": "0", "ADMIN_HOST": "127.0.0.1", "ADMIN_PORT": "0",
            "IO_THREADS": "2", "SHUTDOWN_DELAY_SECONDS": "1", "DRAIN_TIMEOUT_SECONDS": "3", "STARTUP_DEADLINE_SECONDS": "20",
        ]
        return base.merging(overrides) { _, override in override }
    }

    /// ``environment(url:_:)`` for `schema`; the service's sessions carry the schema's name as `application_name`.
    static func environment(schema: TestSchema, _ overrides: [String: String] = [:]) -> [String: String] {
        environment(url: schema.url, ["DB_APPLICATION_NAME": schema.name].merging(overrides) { _, override in override })
    }

    /// Starts `service serve`; when `waitUntilReady`, returns once `/readyz` answers 200 on the traffic port.
    static func serve(_ environment: [String: String], waitUntilReady: Bool = true) async throws -> RunningService {
        try await serve(.service, environment, waitUntilReady: waitUntilReady)
    }

    /// Starts `<executable> serve`; when `waitUntilReady`, returns once `/readyz` answers 200 on the traffic port.
    static func serve(
        _ executable: ServiceExecutable, _ environment: [String: String], waitUntilReady: Bool = true
    ) async throws -> RunningService {
        let process = try ServiceProcess.start(try binary(executable), environment: environment)
        let ports = try await process.listeningPorts()
        let service = RunningService(process: process, httpPort: ports.http, adminPort: ports.admin)
        if waitUntilReady {
            try await Poll.until("/readyz 200\n\(process.output)", timeout: .seconds(20)) {
                (try? await service.get("/readyz").status) == 200
            }
        }
        return service
    }

    /// Runs `service <arguments>` to completion (migrate, check-config, ...).
    static func run(_ arguments: [String], environment: [String: String], timeout: Duration = .seconds(30)) async throws
        -> ServiceProcess
    {
        try await run(.service, arguments, environment: environment, timeout: timeout)
    }

    /// Runs `<executable> <arguments>` to completion.
    static func run(
        _ executable: ServiceExecutable, _ arguments: [String], environment: [String: String], timeout: Duration = .seconds(30)
    ) async throws -> ServiceProcess {
        let process = try ServiceProcess.start(try binary(executable), arguments: arguments, environment: environment)
        try await process.waitForExit(timeout: timeout)
        return process
    }

    /// Applies the migrations with `service migrate`, as the Job in front of a rollout does.
    static func migrate(_ url: String) async throws {
        try await migrate(.service, url)
    }

    /// Applies `executable`'s migrations.
    static func migrate(_ executable: ServiceExecutable, _ url: String) async throws {
        let process = try await run(executable, ["migrate"], environment: ["DATABASE_URL": url])
        guard process.exit?.code == 0 else { throw ProcessFailure(command: "\(executable.rawValue) migrate", output: process.output) }
    }

    /// ``freshSchema(_:)`` with `executable`'s migrations applied, as the Job in front of a rollout leaves it.
    static func migratedSchema(_ name: String) async throws -> TestSchema {
        try await migratedSchema(.service, name)
    }

    /// ``freshSchema(_:)`` with `executable`'s migrations applied (a schema of its own per executable).
    static func migratedSchema(_ executable: ServiceExecutable, _ name: String) async throws -> TestSchema {
        let schema = try await freshSchema(executable == .service ? name : "\(name)_minimal")
        try await migrate(executable, schema.url)
        return schema
    }

    /// A new, empty schema `e2e_<name>` on the shared cluster (dropped first if a previous run left it, along with
    /// any session a killed service left behind, such as a query still sleeping).
    static func freshSchema(_ name: String) async throws -> TestSchema {
        let schema = TestSchema(name: "e2e_\(name)", sharedURL: TestPostgres.url)
        try await withConnection(TestPostgres.url) { connection in
            _ = try await connection.query(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1", schema.name)
            try await connection.executeScript("DROP SCHEMA IF EXISTS \(schema.name) CASCADE; CREATE SCHEMA \(schema.name)")
        }
        return schema
    }

    /// Drops a schema made by ``freshSchema(_:)``.
    static func drop(_ schema: TestSchema) async throws {
        try await withConnection(TestPostgres.url) { try await $0.executeScript("DROP SCHEMA IF EXISTS \(schema.name) CASCADE") }
    }

    /// `url` with `password` as the user's password (the test clusters use trust authentication, so any works).
    static func url(_ url: String, password: String) throws -> String {
        guard let scheme = url.firstRange(of: "://"), let at = url[scheme.upperBound...].firstIndex(of: "@") else {
            throw ProcessFailure(command: "adding a password to \(url)", output: "no user in the URI")
        }
        return String(url[..<at]) + ":" + password + String(url[at...])
    }

    /// Runs `body` on a connection of its own to `url`.
    static func withConnection<T: Sendable>(_ url: String, _ body: (PostgresConnection) async throws -> T) async throws -> T {
        let configuration = try PostgresConfiguration(url: url, applicationName: "service-tests", connectTimeout: .seconds(5))
        let connection = try await PostgresConnection.connect(configuration: configuration, loop: group.next())
        defer { connection.close() }
        return try await body(connection)
    }

    /// Waits until exactly `count` sessions of the service using `schema` (by `application_name`) are running
    /// `pg_sleep`, watching `pg_stat_activity` from one connection of its own.
    static func waitForSleepingQueries(
        _ schema: TestSchema, count: Int, timeout: Duration, interval: Duration = .milliseconds(20)
    ) async throws {
        try await withConnection(TestPostgres.url) { connection in
            try await Poll.until("\(count) queries of \(schema.name) in pg_sleep", timeout: timeout, interval: interval) {
                let rows = try await connection.query(
                    "SELECT count(*) FROM pg_stat_activity WHERE application_name = $1 AND state = 'active' AND query LIKE '%pg_sleep%'",
                    schema.name)
                return try rows[0].decode(Int.self, at: 0) == count
            }
        }
    }
}
