import Glibc
import ServiceKit

/// The smallest service on the kit: one route, one migration, one readiness check, one setting of its own.
struct MinimalService: ServiceApplication {
    struct Settings: Sendable {
        var greeting: String
    }

    static func readSettings(from reader: inout SettingsReader) -> Settings {
        Settings(greeting: reader.string("GREETING", default: "hello", doc: "What GET /greeting answers."))
    }

    static let migrations = [
        Migration(version: 1, name: "create_greetings", sql: "CREATE TABLE IF NOT EXISTS greetings (id bigint PRIMARY KEY)")
    ]

    let settings: Settings
    let pool: PostgresPool

    init(settings: Settings, context: ServiceContext) {
        self.settings = settings
        pool = context.pool
    }

    func addRoutes(to router: inout Router) {
        router.get("/greeting") { _ in
            let rows = try await pool.query("SELECT count(*) AS stored FROM greetings")
            return try .json(Greeting(greeting: settings.greeting, stored: rows[0].decode(Int64.self, column: "stored")))
        }
    }

    func addReadinessChecks(to health: HealthRegistry) {
        // A health connection, not a request's slot: a busy pool must not read as an unready pod.
        health.addReadinessCheck("greetings") {
            try await pool.withHealthConnection(timeout: .seconds(1)) { _ = try await $0.query("SELECT 1 FROM greetings LIMIT 1") }
        }
    }
}

struct Greeting: Encodable {
    let greeting: String
    let stored: Int64
}

exit(await ServiceCommand.run(MinimalService.self))
