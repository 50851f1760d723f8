import Glibc
import Postgres
import TestSupport
import Testing

/// Migrations are a separate step (`service migrate`, a Job before the rollout): the server never migrates on boot,
/// and readiness stays red until the schema is the one this binary needs, so no traffic reaches a pod too new for
/// its database.
@Suite(.requiresPostgreSQL) struct SchemaGateTests {
    @Test(arguments: ServiceExecutable.allCases) func readinessWaitsForMigrateAndTheServerNeverMigrates(_ executable: ServiceExecutable) async throws {
        let schema = try await ServiceFixture.freshSchema("gate_\(executable.rawValue.prefix(3))")
        let service = try await ServiceFixture.serve(
            executable,
            ServiceFixture.environment(schema: schema, ["READINESS_CHECK_INTERVAL_SECONDS": "0.5"]), waitUntilReady: false)
        try await Poll.until("startup to finish", timeout: .seconds(20)) { !service.process.logLines(event: "startup.ready").isEmpty }

        #expect(await service.status("/readyz/database") == 200)
        #expect(await service.status("/readyz") == 503)
        let detail = try await service.admin("GET", "/readyz?verbose")
        #expect(detail.text.contains("[-]schema failed: schema version 0 is older than"), "\(detail.text)")
        let tables = try await ServiceFixture.withConnection(TestPostgres.url) { connection in
            try await connection.query("SELECT count(*) FROM pg_tables WHERE schemaname = $1", schema.name)[0].decode(Int.self, at: 0)
        }
        #expect(tables == 0, "serve created tables")

        try await ServiceFixture.migrate(executable, schema.url)
        try await Poll.until("/readyz to turn green after migrate", timeout: .seconds(3)) { await service.status("/readyz") == 200 }
        service.process.send(SIGTERM)
        #expect(try await service.process.waitForExit(timeout: .seconds(8)).code == 0, "\(service.process.output)")
        try await ServiceFixture.drop(schema)
    }
}
