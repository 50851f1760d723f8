import Glibc
import TestSupport
import Testing

/// A wedged event loop is the one thing `/livez` exists for: it must turn red within the stall threshold
/// (`LIVENESS_STALL_SECONDS`), and green again once the loop turns.
@Suite(.requiresPostgreSQL) struct LivenessTests {
    @Test(arguments: ServiceExecutable.allCases) func blockedEventLoopTurnsLivenessRedWithinTheStallThresholdThenGreen(_ executable: ServiceExecutable) async throws {
        let schema = try await ServiceFixture.migratedSchema(executable, "stall")
        let stall = Duration.seconds(1)
        let blocked = Duration.seconds(4)
        let service = try await ServiceFixture.serve(
            executable,
            ServiceFixture.environment(schema: schema, ["ENABLE_TEST_HOOKS": "true", "IO_THREADS": "2", "LIVENESS_STALL_SECONDS": "1"]))
        #expect(await service.status("/livez") == 200)

        let blockSent = ContinuousClock.now
        let hook = try await service.admin("POST", "/debug/block-loop/0?seconds=4")
        #expect(hook.status == 202)
        // The other loop answers the probe: a served 503, not a timeout.
        try await Poll.until("/livez to turn red", timeout: stall + .seconds(3)) { await service.status("/livez", timeout: .seconds(1)) == 503 }
        let red = ContinuousClock.now
        let detail = try await service.admin("GET", "/livez?verbose", timeout: .seconds(1))
        try await Poll.until("/livez to turn green again", timeout: blocked + .seconds(3)) { await service.status("/livez") == 200 }
        let green = ContinuousClock.now

        // An idle loop beats every 250 ms, so red can come at most that much before the threshold.
        #expect(red - blockSent >= stall - .milliseconds(300), "red after \(red - blockSent): before the threshold")
        #expect(red - blockSent <= stall + .seconds(1), "red after \(red - blockSent)")
        #expect(detail.status == 503 && detail.text.contains("[-]eventloops failed: event loop 0"), "\(detail.text)")
        #expect(green - blockSent >= blocked - .milliseconds(300), "green after \(green - blockSent), while the loop was still blocked")
        #expect(green - blockSent <= blocked + .seconds(2), "green after \(green - blockSent)")

        service.process.send(SIGTERM)
        #expect(try await service.process.waitForExit(timeout: .seconds(8)).code == 0, "\(service.process.output)")
        try await ServiceFixture.drop(schema)
    }

    /// A pool that serves nothing while requests wait, although the database accepts a fresh connection, is the
    /// zombie a restart fixes: `/livez` turns red after `POOL_WEDGE_SECONDS` (a database outage would not).
    @Test func wedgedPoolTurnsLivenessRedWhileTheDatabaseAcceptsConnections() async throws {
        let schema = try await ServiceFixture.migratedSchema("wedge")
        let service = try await ServiceFixture.serve(
            ServiceFixture.environment(
                schema: schema,
                [
                    "ENABLE_TEST_HOOKS": "true", "DB_POOL_MIN": "1", "DB_POOL_MAX": "1", "POOL_WEDGE_SECONDS": "1",
                    "DB_ACQUIRE_TIMEOUT_SECONDS": "10", "SHUTDOWN_DELAY_SECONDS": "0", "DRAIN_TIMEOUT_SECONDS": "1",
                ]))
        #expect(await service.status("/livez") == 200)

        // The pool's only connection is stuck in a query that does not end, as behind a hung backend, and requests
        // queue behind it.
        let stuck = try await TCPClient.connect(port: service.httpPort)
        defer { stuck.close() }
        try await stuck.send("GET /debug/sleep?seconds=30 HTTP/1.1\r\nHost: service\r\n\r\n")
        try await ServiceFixture.waitForSleepingQueries(schema, count: 1, timeout: .seconds(5))
        let waiting = try await TCPClient.connect(port: service.httpPort)
        defer { waiting.close() }
        try await waiting.send("GET \(ServiceFixture.databaseRoute) HTTP/1.1\r\nHost: service\r\n\r\n")

        try await Poll.until("/livez to turn red", timeout: .seconds(8)) { await service.status("/livez", timeout: .seconds(3)) == 503 }
        let detail = try await service.admin("GET", "/livez?verbose", timeout: .seconds(3))
        #expect(detail.status == 503 && detail.text.contains("[-]pool failed"), "\(detail.text)")
        #expect(detail.text.contains("[+]eventloops ok"), "\(detail.text)")

        service.process.send(SIGTERM)
        #expect(try await service.process.waitForExit(timeout: .seconds(10)).code == 1, "the stuck request had to be cancelled")
        try await ServiceFixture.waitForSleepingQueries(schema, count: 0, timeout: .seconds(3))
        try await ServiceFixture.drop(schema)
    }
}
