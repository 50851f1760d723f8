public import IO
public import Postgres

/// Pools on the shared cluster of ``TestPostgres``, for tests of code that queries through a ``PostgresPool``.
public enum PoolFixture {
    /// The event loops every fixture pool runs on.
    public static let group: EventLoopGroup = {
        do { return try EventLoopGroup(threadCount: 2) } catch { fatalError("event loops: \(error)") }
    }()

    /// The acquire timeout of test pools that are not about it: with every suite starting at once, opening a
    /// connection can take seconds, longer than the production default.
    public static let unhurriedAcquire: Duration = .seconds(10)

    /// The shared cluster's configuration; sessions show `applicationName` in `pg_stat_activity`.
    public static func configuration(applicationName: String = "kit-tests") throws -> PostgresConfiguration {
        try PostgresConfiguration(url: TestPostgres.url, applicationName: applicationName)
    }

    /// Leases once, retrying while the first connection is still being opened: on a loaded machine connecting
    /// can outlast the short acquire timeouts of the tests that exhaust a pool.
    public static func warmUp(_ pool: PostgresPool) async throws {
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
    public static func holdConnection(of pool: PostgresPool, until gate: Gate) async -> Task<Void, any Error> {
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
    public static func withPool<Result: Sendable>(
        _ poolConfiguration: PostgresPoolConfiguration = .init(minimumConnections: 0, maximumConnections: 2, acquireTimeout: unhurriedAcquire),
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
