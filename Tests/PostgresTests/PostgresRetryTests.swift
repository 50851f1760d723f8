import IO
import Postgres
import Synchronization
import TestSupport
import Testing

/// Sessions the server ends, and restarts: what callers see, against a real PostgreSQL.
@Suite(.serialized, .requiresPostgreSQL) struct PostgresRetryTests {
    @Test func idleConnectionsTheServerEndedAreNeverHandedOut() async throws {
        let name = "retry-idle-ended"
        try await withTestPool(configuration: try namedConfiguration(name), pool: .init(maximumConnections: 4, acquireTimeout: PoolFixture.unhurriedAcquire)) { pool in
            try await Self.runConcurrently(4, on: pool, sql: "SELECT pg_sleep(0.2)")
            #expect(pool.statistics.idle == 4)
            try await Self.terminateBackends(applicationName: name, waitUntilGone: true)

            // Not marked idempotent: these may only succeed because no dead session was used.
            try await Self.runConcurrently(4, on: pool, sql: "SELECT 1")
            #expect(pool.statistics.discardedTotal >= 4)
            #expect(pool.statistics.retriesTotal == 0)
        }
    }

    @Test func anIdempotentReadSurvivesItsSessionEndingMidFlight() async throws {
        let name = "retry-mid-flight"
        try await withTestPool(configuration: try namedConfiguration(name), pool: .init(maximumConnections: 2, acquireTimeout: PoolFixture.unhurriedAcquire)) { pool in
            let read = Task { try await pool.query("SELECT pg_sleep(0.5), 7 AS answer", idempotent: true) }
            try await Self.waitForActiveStatement(applicationName: name)
            try await Self.terminateBackends(applicationName: name)
            #expect(try await read.value[0].decode(Int.self, column: "answer") == 7)
            #expect(pool.statistics.retriesTotal == 1)
        }
    }

    @Test func aStatementNotMarkedIdempotentIsNotRetriedAfterItWasSent() async throws {
        let name = "retry-not-idempotent"
        try await withTestPool(configuration: try namedConfiguration(name), pool: .init(maximumConnections: 2, acquireTimeout: PoolFixture.unhurriedAcquire)) { pool in
            let write = Task { try await pool.query("SELECT pg_sleep(0.5), 7 AS answer") }
            try await Self.waitForActiveStatement(applicationName: name)
            try await Self.terminateBackends(applicationName: name)
            await #expect(throws: PostgresError.self) { _ = try await write.value }
            #expect(pool.statistics.retriesTotal == 0)
            // The pool itself recovers at once.
            #expect(try await pool.query("SELECT 1 AS one")[0].decode(Int.self, column: "one") == 1)
        }
    }

    @Test func errorsOfTheStatementAreNotRetriedEvenWhenIdempotent() async throws {
        try await withTestPool(configuration: try namedConfiguration("retry-statement-error"), pool: .init(maximumConnections: 2, acquireTimeout: PoolFixture.unhurriedAcquire)) {
            pool in
            await #expect(throws: PostgresError.self) { _ = try await pool.query("SELECT 1/0", idempotent: true) }
            await #expect(throws: PostgresError.self) { _ = try await pool.query("SELEC 1", idempotent: true) }
            #expect(pool.statistics.retriesTotal == 0)
        }
    }

    /// Idempotent reads under load through a restart: none fails, because each read broken by the restart waits (within
    /// the acquire timeout) for the pool to reconnect and runs again.
    @Test func idempotentReadsUnderLoadSurviveARestart() async throws {
        let cluster = try await Blocking.run { try DedicatedCluster.start("retry-restart") }
        defer { try? cluster.stop() }
        let name = "retry-restart"
        let poolConfiguration = PostgresPoolConfiguration(
            maximumConnections: 5, acquireTimeout: .seconds(10), reconnectBackoff: .milliseconds(50),
            maximumReconnectBackoff: .milliseconds(250))
        try await withTestPool(configuration: try namedConfiguration(name, url: cluster.url), pool: poolConfiguration) { pool in
            let load = try await queryThroughRestart(pool, cluster: cluster, idempotent: true, tolerating: [])
            #expect(load.successesAfterRestart.load(ordering: .relaxed) >= 100)
            #expect(load.unexpected.withLock { $0 } == [])
            #expect(pool.statistics.retriesTotal > 0)
        }
    }

    private static func runConcurrently(_ count: Int, on pool: PostgresPool, sql: String) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<count { group.addTask { _ = try await pool.query(sql) } }
            try await group.waitForAll()
        }
    }

    /// Ends every session named `applicationName`; with `waitUntilGone`, waits until the server shows none.
    private static func terminateBackends(applicationName: String, waitUntilGone: Bool = false) async throws {
        let connection = try await PostgresConnection.connect(
            configuration: try TestDatabase.configuration(preparedStatements: false), loop: TestDatabase.group.next())
        defer { connection.close() }
        _ = try await connection.query(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1", applicationName)
        if waitUntilGone { #expect(try await sessionsAfterClose(applicationName: applicationName) == 0) }
    }

    private static func waitForActiveStatement(applicationName: String) async throws {
        let connection = try await PostgresConnection.connect(
            configuration: try TestDatabase.configuration(preparedStatements: false), loop: TestDatabase.group.next())
        defer { connection.close() }
        try await Poll.until("a statement to run", timeout: .seconds(5)) {
            let rows = try? await connection.query(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = $1 AND state = 'active' AND query LIKE '%pg_sleep%'",
                applicationName)
            return ((try? rows?[0].decode(Int.self, at: 0)) ?? 0) > 0
        }
    }
}
