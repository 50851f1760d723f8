import IO
import Postgres
import TestSupport
import Testing

@Suite(.requiresPostgreSQL) struct PostgresPoolTests {
    @Test func exhaustionFailsFastWithAcquireTimeout() async throws {
        let configuration = try namedConfiguration("pool-exhaustion")
        try await withTestPool(
            configuration: configuration, pool: .init(minimumConnections: 2, maximumConnections: 2, acquireTimeout: .milliseconds(300))
        ) { pool in
            // Open both connections first: under a loaded test run a connect alone can exceed the acquire timeout.
            try await Poll.until("2 idle connections", timeout: .seconds(10), interval: .milliseconds(10)) { pool.statistics.idle >= 2 }
            try await withThrowingTaskGroup(of: Void.self) { holders in
                for _ in 0..<2 {
                    holders.addTask { _ = try await pool.query("SELECT pg_sleep(4)") }
                }
                // Under a loaded test run connecting can take a while: wait until both connections are leased.
                try await Poll.until("2 leased connections", timeout: .seconds(10), interval: .milliseconds(10)) {
                    pool.statistics.inUse >= 2
                }
                let started = ContinuousClock.now
                let error = await #expect(throws: PostgresError.self) { try await pool.query("SELECT 1") }
                #expect(error?.code == .poolAcquireTimeout)
                let waited = ContinuousClock.now - started
                // Well before the holders let go: a late timer on a loaded machine is not a wait for a connection.
                #expect(waited >= .milliseconds(250) && waited < .seconds(2))
                try await holders.waitForAll()
            }
            #expect(pool.statistics.acquireTimeouts == 1)
            // The pool serves again once connections are back.
            #expect(try await pool.query("SELECT 1")[0].decode(Int.self, at: 0) == 1)
        }
    }

    @Test func twoHundredTasksOnTenConnections() async throws {
        let name = "pool-200"
        try await withTestPool(
            configuration: try namedConfiguration(name),
            pool: .init(maximumConnections: 10, acquireTimeout: .seconds(10))
        ) { pool in
            let sum = try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<200 {
                    group.addTask {
                        let rows = try await pool.query("SELECT $1::int8 * 2 AS doubled, pg_sleep(0.01)", index)
                        return try rows[0].decode(Int.self, column: "doubled")
                    }
                }
                return try await group.reduce(0, +)
            }
            #expect(sum == 199 * 200)
            let statistics = pool.statistics
            #expect(statistics.open <= 10)
            #expect(statistics.acquiredTotal == 200)
            #expect(statistics.inUse == 0)
            #expect(try await countSessions(applicationName: name) <= 10)
        }
        #expect(try await sessionsAfterClose(applicationName: name) == 0)
    }

    @Test func sixtyFourSleepsRunConcurrently() async throws {
        try await withTestPool(
            configuration: try namedConfiguration("pool-64"),
            pool: .init(minimumConnections: 64, maximumConnections: 64, acquireTimeout: PoolFixture.unhurriedAcquire)
        ) { pool in
            // Connected first: what is timed is running 64 statements at once, not opening 64 sessions, which
            // took seconds in CI with every suite starting together.
            try await Poll.until("64 idle connections", timeout: .seconds(30), interval: .milliseconds(10)) { pool.statistics.idle == 64 }
            let started = ContinuousClock.now
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<64 {
                    group.addTask { _ = try await pool.query("SELECT pg_sleep(0.5)") }
                }
                try await group.waitForAll()
            }
            let elapsed = ContinuousClock.now - started
            // Serially this is 32 s; 3 s would take at least 11 at once.
            #expect(elapsed < .seconds(3), "took \(elapsed)")
        }
    }

    @Test func transactionsThroughThePoolReturnCleanConnections() async throws {
        try await withTestPool(configuration: try namedConfiguration("pool-tx"), pool: .init(maximumConnections: 1, acquireTimeout: PoolFixture.unhurriedAcquire)) {
            pool in
            try await pool.withConnection {
                try await $0.executeScript("CREATE TABLE IF NOT EXISTS pool_tx (id int PRIMARY KEY)")
            }
            try await pool.withConnection { try await $0.executeScript("TRUNCATE pool_tx") }
            struct Boom: Error {}
            await #expect(throws: Boom.self) {
                try await pool.withTransaction { connection in
                    _ = try await connection.query("INSERT INTO pool_tx VALUES ($1)", 1)
                    throw Boom()
                }
            }
            // A connection returned inside an open transaction is discarded, not reused.
            try await pool.withConnection { try await $0.executeScript("BEGIN") }
            #expect(pool.statistics.discardedTotal == 1)
            let count = try await pool.query("SELECT count(*) FROM pool_tx")[0].decode(Int.self, at: 0)
            #expect(count == 0)
            try await pool.withConnection { try await $0.executeScript("DROP TABLE pool_tx") }
        }
    }

    @Test func cancelledWaiterLeavesPromptly() async throws {
        try await withTestPool(
            configuration: try namedConfiguration("pool-cancel"),
            pool: .init(maximumConnections: 1, acquireTimeout: .seconds(30))
        ) { pool in
            let holder = Task {
                _ = try await pool.query("SELECT pg_sleep(1)")
                return ContinuousClock.now
            }
            try await Task.sleep(for: .milliseconds(200))
            let waiter = Task { try await pool.query("SELECT 1") }
            try await Task.sleep(for: .milliseconds(100))
            waiter.cancel()
            await #expect(throws: CancellationError.self) { try await waiter.value }
            let waiterLeft = ContinuousClock.now
            // Out before the lease it waited for came back (the holder sleeps a second in PostgreSQL): a bound that
            // does not depend on how loaded the machine is.
            let holderDone = try await holder.value
            #expect(waiterLeft < holderDone)
        }
    }

    @Test func terminatedBackendIsReplaced() async throws {
        let name = "pool-terminate"
        try await withTestPool(configuration: try namedConfiguration(name), pool: .init(maximumConnections: 1, acquireTimeout: PoolFixture.unhurriedAcquire)) {
            pool in
            let firstPID = try await pool.query("SELECT pg_backend_pid()")[0].decode(Int32.self, at: 0)
            let admin = try await TestDatabase.connect(preparedStatements: false)
            defer { admin.close() }
            _ = try await admin.query("SELECT pg_terminate_backend($1)", firstPID)
            try await Task.sleep(for: .milliseconds(1200))
            // Idle for more than a second: the check on borrow notices the closed socket, no query fails.
            let secondPID = try await pool.query("SELECT pg_backend_pid()")[0].decode(Int32.self, at: 0)
            #expect(secondPID != firstPID)

            // Terminated while in use: that query fails as connectionLost, the next one reconnects.
            let error = await #expect(throws: PostgresError.self) {
                try await pool.withConnection { connection in
                    _ = try await admin.query("SELECT pg_terminate_backend($1)", secondPID)
                    try await Task.sleep(for: .milliseconds(100))
                    return try await connection.query("SELECT 1")
                }
            }
            #expect(error?.code == .connectionLost)
            #expect(try await pool.query("SELECT 1")[0].decode(Int.self, at: 0) == 1)
            #expect(pool.statistics.open == 1)
            #expect(try await countSessions(applicationName: name) == 1)
        }
    }

    @Test func probeFreshConnection() async throws {
        try await withTestPool(configuration: try namedConfiguration("pool-probe"), pool: .init(acquireTimeout: PoolFixture.unhurriedAcquire)) { pool in
            try await pool.probeFreshConnection(timeout: .seconds(2))
            #expect(pool.lastSuccessfulLease == nil)
            _ = try await pool.query("SELECT 1")
            #expect(pool.lastSuccessfulLease != nil)
            #expect(pool.statistics.lastSuccessfulQuery != nil)
        }
    }

    @Test func closedPoolRejectsCallers() async throws {
        let pool = PostgresPool(
            configuration: try namedConfiguration("pool-closed"), poolConfiguration: .init(acquireTimeout: PoolFixture.unhurriedAcquire),
            eventLoopGroup: TestDatabase.group)
        async let running: Void = pool.run()
        _ = try await pool.query("SELECT 1")
        await pool.close(timeout: .seconds(1))
        await running
        let error = await #expect(throws: PostgresError.self) { try await pool.query("SELECT 1") }
        #expect(error?.code == .poolClosed)
    }
}
