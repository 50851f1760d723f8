import App
import IO
import Postgres
import TestSupport

/// The PostgreSQL the app tests run against, migrated to this binary's schema.
///
/// The shared cluster of ``TestPostgres``.
enum TestDatabase {
    static let group: EventLoopGroup = {
        do { return try EventLoopGroup(threadCount: 2) } catch { fatalError("event loops: \(error)") }
    }()

    static func configuration() throws -> PostgresConfiguration {
        try PostgresConfiguration(url: TestPostgres.url, applicationName: "app-tests")
    }

    /// Migrates once per test process; concurrent callers wait for the same run.
    static func migrate() async throws {
        try await migration.value
    }

    private static let migration = Task {
        try await withPool { pool in _ = try await Migrator(pool: pool).migrate() }
    }

    /// Leases once, retrying while the first connection is still being opened: on a loaded machine connecting
    /// can outlast the short acquire timeouts of the tests that exhaust a pool.
    static func warmUp(_ pool: PostgresPool) async throws {
        for _ in 0..<100 {
            do {
                _ = try await pool.query("SELECT 1")
                return
            } catch let error as PostgresError where error.code == .poolAcquireTimeout {
                continue
            }
        }
        _ = try await pool.query("SELECT 1")
    }

    /// Leases one of `pool`'s connections and holds it until `gate` opens; returns once it is held.
    static func holdConnection(of pool: PostgresPool, until gate: Gate) async -> Task<Void, any Error> {
        let (leased, leasedSink) = AsyncStream.makeStream(of: Void.self)
        let holder = Task {
            try await pool.withConnection { _ in
                leasedSink.yield()
                try await gate.wait()
            }
        }
        for await _ in leased { break }
        return holder
    }

    /// Runs `body` with a running pool, then closes it and waits for ``PostgresPool/run()`` to return.
    static func withPool<Result: Sendable>(
        _ poolConfiguration: PostgresPoolConfiguration = .init(minimumConnections: 0, maximumConnections: 2),
        _ body: @Sendable (PostgresPool) async throws -> Result
    ) async throws -> Result {
        let pool = PostgresPool(configuration: try configuration(), poolConfiguration: poolConfiguration, eventLoopGroup: group)
        let running = Task { await pool.run() }
        do {
            let result = try await body(pool)
            await pool.close(timeout: .seconds(5))
            await running.value
            return result
        } catch {
            await pool.close(timeout: .seconds(5))
            await running.value
            throw error
        }
    }
}
