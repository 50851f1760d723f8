import Glibc
import HTTPServer
import TestSupport
import Testing

/// Readiness says "the database is unreachable or the schema is old", never "this pod is busy": when every replica is
/// busy at once, leaving the endpoints together would turn slow load into an outage.
@Suite(.requiresPostgreSQL) struct ReadinessUnderLoadTests {
    static let settings = [
        "ENABLE_TEST_HOOKS": "true", "DB_POOL_MIN": "1", "DB_POOL_MAX": "2", "DB_ACQUIRE_TIMEOUT_SECONDS": "0.5",
        "READINESS_CHECK_INTERVAL_SECONDS": "0.5", "READINESS_CHECK_TIMEOUT_SECONDS": "1", "DB_CONNECT_TIMEOUT_SECONDS": "1",
    ]

    @Test func aSaturatedPoolStaysReadyAndShedsRequestsWithRetryAfter() async throws {
        let schema = try await ServiceFixture.migratedSchema("busyready")
        let service = try await ServiceFixture.serve(ServiceFixture.environment(schema: schema, Self.settings))
        let sleepers = try await Self.saturate(service, seconds: 8, count: 4)
        defer { for sleeper in sleepers { sleeper.close() } }
        try await ServiceFixture.waitForSleepingQueries(schema, count: 2, timeout: .seconds(5))

        // Well over several readiness periods (0.5 s) with both connections held.
        var answers: [Int?] = []
        let until = ContinuousClock.now + .seconds(4)
        while ContinuousClock.now < until {
            answers.append(await service.status("/readyz"))
            try await Task.sleep(for: .milliseconds(100))
        }
        // At least one probe per readiness period, however slowly a loaded machine answers them.
        #expect(answers.count >= 8 && answers.allSatisfy { $0 == 200 }, "readiness while busy: \(answers)")

        // The load is shed where it belongs: on the request that finds no connection.
        let shed = try await service.get(ServiceFixture.databaseRoute)
        #expect(shed.status == 503, "\(shed.status) \(shed.text)")
        #expect(shed.headers["Retry-After"] != nil, "\(shed.headers)")

        service.process.send(SIGTERM)
        _ = try await service.process.waitForExit(timeout: .seconds(15))
        try await ServiceFixture.drop(schema)
    }

    @Test func aSaturatedPoolWhoseDatabaseStopsTurnsReadinessRedPromptly() async throws {
        let cluster = try await Blocking.run { try DedicatedCluster.start("e2e-busy-outage") }
        defer { try? cluster.stop() }
        try await ServiceFixture.migrate(cluster.url)
        let service = try await ServiceFixture.serve(ServiceFixture.environment(url: cluster.url, Self.settings))
        let sleepers = try await Self.saturate(service, seconds: 30, count: 4)
        defer { for sleeper in sleepers { sleeper.close() } }
        try await Task.sleep(for: .seconds(1))
        #expect(await service.status("/readyz") == 200)

        try await Blocking.run { try cluster.stop() }
        let stopped = ContinuousClock.now
        try await Poll.until("/readyz to turn red", timeout: .seconds(5)) { await service.status("/readyz") == 503 }
        let red = ContinuousClock.now - stopped
        #expect(red <= .seconds(2), "red \(red) after the database stopped")

        try await Blocking.run { try cluster.start() }
        try await Poll.until("/readyz to turn green", timeout: .seconds(10)) { await service.status("/readyz") == 200 }
        service.process.send(SIGTERM)
        _ = try await service.process.waitForExit(timeout: .seconds(15))
        try await Blocking.run { try cluster.stop() }
    }

    /// Sends `count` requests that each hold a pool connection in `pg_sleep` for `seconds`; keep the clients open.
    private static func saturate(_ service: RunningService, seconds: Int, count: Int) async throws -> [TCPClient] {
        var clients: [TCPClient] = []
        for _ in 0..<count {
            let client = try await TCPClient.connect(port: service.httpPort)
            try await client.send("GET /debug/sleep?seconds=\(seconds) HTTP/1.1\r\nHost: service\r\n\r\n")
            clients.append(client)
        }
        return clients
    }
}
