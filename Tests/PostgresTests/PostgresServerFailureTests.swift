import IO
import Postgres
import Synchronization
import TestSupport
import Testing

/// Tests that restart PostgreSQL run one at a time against a cluster of their own.
@Suite(.serialized, .requiresPostgreSQL) struct PostgresServerFailureTests {
    @Test func poolRecoversWhenPostgresRestartsMidLoad() async throws {
        let cluster = try await Blocking.run { try DedicatedCluster.start("restart") }
        defer { try? cluster.stop() }
        let name = "restart-load"
        let poolConfiguration = PostgresPoolConfiguration(
            maximumConnections: 5,
            acquireTimeout: .seconds(1),
            reconnectBackoff: .milliseconds(50),
            maximumReconnectBackoff: .milliseconds(500)
        )
        try await withTestPool(configuration: try namedConfiguration(name, url: cluster.url), pool: poolConfiguration) {
            pool in
            let load = try await queryThroughRestart(
                pool, cluster: cluster, idempotent: false, tolerating: [.connectionLost, .connectionFailed, .poolAcquireTimeout])
            #expect(load.successesAtRestart.load(ordering: .relaxed) >= 50)
            #expect(load.successesAfterRestart.load(ordering: .relaxed) >= 100)
            #expect(load.unexpected.withLock { $0 } == [])
            // The restart really broke sessions, and the pool replaced them.
            #expect(pool.statistics.discardedTotal > 0)
            #expect(pool.statistics.open <= 5)
            #expect(try await countSessions(applicationName: name, url: cluster.url) <= 5)
        }
        #expect(try await sessionsAfterClose(applicationName: name, url: cluster.url) == 0)
    }

    @Test(.requires(PgBouncer.executable, from: "pgbouncer")) func worksBehindPgBouncerInTransactionMode() async throws {
        let bouncer = try PgBouncer.start(upstream: try TestDatabase.configuration())
        defer { bouncer.stop() }
        let configuration = try namedConfiguration("pgbouncer", url: bouncer.url, preparedStatements: false)
        try await withTestPool(
            configuration: configuration, pool: .init(maximumConnections: 20, acquireTimeout: .seconds(10))
        ) { pool in
            try await pool.withConnection {
                try await $0.executeScript("CREATE TABLE IF NOT EXISTS bouncer_test (id int PRIMARY KEY, note text)")
            }
            try await pool.withConnection { try await $0.executeScript("TRUNCATE bouncer_test") }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<200 {
                    group.addTask {
                        if index.isMultiple(of: 2) {
                            try await pool.withTransaction { connection in
                                _ = try await connection.query(
                                    "INSERT INTO bouncer_test VALUES ($1, $2)", index, "n\(index)")
                                let rows = try await connection.query(
                                    "SELECT note FROM bouncer_test WHERE id = $1", index)
                                #expect(try rows[0].decode(String.self, column: "note") == "n\(index)")
                            }
                        } else {
                            let rows = try await pool.query("SELECT $1::int8 + $2::int8 AS s", index, 1)
                            #expect(try rows[0].decode(Int.self, column: "s") == index + 1)
                        }
                    }
                }
                try await group.waitForAll()
            }
            #expect(try await pool.query("SELECT count(*) FROM bouncer_test")[0].decode(Int.self, at: 0) == 100)
            try await pool.withConnection { try await $0.executeScript("DROP TABLE bouncer_test") }
        }
    }
}

/// Shared tallies of a load loop.
