import IO
import Postgres

/// Runs `body` with a running pool, then closes it and waits for ``PostgresPool/run()`` to return.
func withTestPool<Result: Sendable>(
    configuration: PostgresConfiguration,
    pool poolConfiguration: PostgresPoolConfiguration,
    _ body: @Sendable (PostgresPool) async throws -> Result
) async throws -> Result {
    let pool = PostgresPool(
        configuration: configuration, poolConfiguration: poolConfiguration, eventLoopGroup: TestDatabase.group)
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { await pool.run() }
        do {
            let result = try await body(pool)
            await pool.close(timeout: .seconds(5))
            try await group.waitForAll()
            return result
        } catch {
            await pool.close(timeout: .seconds(5))
            try await group.waitForAll()
            throw error
        }
    }
}

/// Counts server sessions with `applicationName`, seen from a separate connection.
func countSessions(applicationName: String, url: String = TestDatabase.url) async throws -> Int {
    let connection = try await PostgresConnection.connect(
        configuration: try TestDatabase.configuration(preparedStatements: false, url: url),
        loop: TestDatabase.group.next()
    )
    defer { connection.close() }
    let rows = try await connection.query(
        "SELECT count(*) FROM pg_stat_activity WHERE application_name = $1", applicationName)
    return try rows[0].decode(Int.self, at: 0)
}

/// A configuration whose sessions can be told apart in `pg_stat_activity`.
func namedConfiguration(
    _ applicationName: String,
    url: String = TestDatabase.url,
    preparedStatements: Bool = true
) throws -> PostgresConfiguration {
    var configuration = try TestDatabase.configuration(preparedStatements: preparedStatements, url: url)
    configuration.applicationName = applicationName
    return configuration
}

/// Waits up to `timeout` for the server to show no sessions named `applicationName` (backends exit
/// asynchronously after a client's Terminate message), returning the last count.
func sessionsAfterClose(applicationName: String, url: String = TestDatabase.url, timeout: Duration = .seconds(3))
    async throws -> Int
{
    let deadline = ContinuousClock.now + timeout
    while true {
        let count = try await countSessions(applicationName: applicationName, url: url)
        if count == 0 || ContinuousClock.now >= deadline { return count }
        try await Task.sleep(for: .milliseconds(50))
    }
}
