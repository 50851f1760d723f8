import IO
import Postgres
import Synchronization
import TestSupport
import Testing

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

/// What ``queryThroughRestart(_:cluster:idempotent:tolerating:)`` counted.
final class LoadCounters: Sendable {
    let stop = Atomic<Bool>(false)
    let restarted = Atomic<Bool>(false)
    let successes = Atomic<Int>(0)
    /// ``successes`` when the restart began.
    let successesAtRestart = Atomic<Int>(0)
    let successesAfterRestart = Atomic<Int>(0)
    let unexpected = Mutex<[String]>([])
}

/// Eight workers run `SELECT $1::int4` on `pool` until the load flows (50 successes, or 10 s), `cluster` restarts, and
/// they go on until 100 more succeed (or 15 s). Errors with a code in `tolerating` pause the worker for 10 ms; any
/// other error is recorded in ``LoadCounters/unexpected``.
func queryThroughRestart(
    _ pool: PostgresPool, cluster: DedicatedCluster, idempotent: Bool, tolerating tolerated: Set<PostgresError.Code>
) async throws -> LoadCounters {
    let load = LoadCounters()
    try await withThrowingTaskGroup(of: Void.self) { group in
        for worker in 0..<8 {
            group.addTask {
                while !load.stop.load(ordering: .relaxed) {
                    do {
                        let rows = try await pool.query("SELECT $1::int4 AS worker", worker, idempotent: idempotent)
                        #expect(try rows[0].decode(Int.self, column: "worker") == worker)
                        load.successes.add(1, ordering: .relaxed)
                        if load.restarted.load(ordering: .relaxed) { load.successesAfterRestart.add(1, ordering: .relaxed) }
                    } catch let error as PostgresError where tolerated.contains(error.code) {
                        try await Task.sleep(for: .milliseconds(10))
                    } catch {
                        load.unexpected.withLock { $0.append(String(reflecting: error)) }
                    }
                }
            }
        }
        // Wait for the load to be flowing (a loaded CI machine may take a while to start a cluster's sessions).
        let warmup = ContinuousClock.now + .seconds(10)
        while load.successes.load(ordering: .relaxed) < 50, ContinuousClock.now < warmup {
            try await Task.sleep(for: .milliseconds(20))
        }
        load.successesAtRestart.store(load.successes.load(ordering: .relaxed), ordering: .relaxed)
        try await Blocking.run { try cluster.restart() }
        load.restarted.store(true, ordering: .relaxed)
        let deadline = ContinuousClock.now + .seconds(15)
        while load.successesAfterRestart.load(ordering: .relaxed) < 100, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        load.stop.store(true, ordering: .relaxed)
        try await group.waitForAll()
    }
    return load
}
