import Glibc
import TestSupport
import Testing

/// PostgreSQL going away and coming back, before and after startup. The tests that stop a server use a cluster of
/// their own, so the other suites never notice.
@Suite(.requiresPostgreSQL) struct DatabaseOutageTests {
    /// A database outage is readiness's business, never liveness's: restarting the pod would not bring the database
    /// back, and restarting every pod at once would turn an outage into a crash loop.
    @Test(arguments: ServiceExecutable.allCases) func outageTurnsReadinessRedAndBackGreenWhileLivenessStaysGreen(_ executable: ServiceExecutable) async throws {
        let cluster = try await Blocking.run { try DedicatedCluster.start("e2e-outage-\(executable.rawValue)") }
        // Also when the test fails; after a normal end this finds the cluster stopped already.
        defer { try? cluster.stop() }
        try await ServiceFixture.migrate(executable, cluster.url)
        let interval = Duration.seconds(1)
        let service = try await ServiceFixture.serve(
            executable,
            ServiceFixture.environment(
                url: cluster.url,
                ["READINESS_CHECK_INTERVAL_SECONDS": "1", "READINESS_CHECK_TIMEOUT_SECONDS": "0.5", "DB_CONNECT_TIMEOUT_SECONDS": "1"]))
        let liveness = Task { await Self.livenessFailures(service) }

        try await Blocking.run { try cluster.stop() }
        let stopped = ContinuousClock.now
        try await Poll.until("/readyz to turn red", timeout: interval + .seconds(5)) { await service.status("/readyz") == 503 }
        let red = ContinuousClock.now
        // Long enough for reconnect attempts to back off well past the 2 s in which readiness must recover.
        try await Task.sleep(until: stopped + .seconds(6))
        #expect(await service.status("/readyz") == 503)
        try await Blocking.run { try cluster.start() }
        let restarted = ContinuousClock.now
        try await Poll.until("/readyz to turn green", timeout: .seconds(10)) { await service.status("/readyz") == 200 }
        let green = ContinuousClock.now
        liveness.cancel()

        // The check that sees the outage fails at once (the session is gone); only the cache makes probes wait.
        #expect(red - stopped <= interval + .milliseconds(500), "red \(red - stopped) after the database stopped")
        #expect(green - restarted <= .seconds(2), "green \(green - restarted) after the database came back")
        let failures = await liveness.value
        #expect(failures.isEmpty, "/livez failed during the outage: \(failures)")
        #expect(service.process.exit == nil, "the same process serves on")
        service.process.send(SIGTERM)
        #expect(try await service.process.waitForExit(timeout: .seconds(8)).code == 0, "\(service.process.output)")
        try await Blocking.run { try cluster.stop() }
    }

    /// No crash loop while the database is unreachable at startup: live, not ready, retrying; then a clear error and
    /// a non-zero exit once the startup deadline has passed. The password never reaches the output.
    @Test func unreachableDatabaseAtStartupRetriesUntilTheDeadlineThenFails() async throws {
        let password = "Unreachable-\(UInt32.random(in: .min ... .max))"
        let url = "postgresql://app:\(password)@127.0.0.1:\(try UnusedPort.loopback())/app?sslmode=disable"
        let deadline = Duration.seconds(4)
        let service = try await ServiceFixture.serve(
            ServiceFixture.environment(url: url, ["STARTUP_DEADLINE_SECONDS": "4", "DB_ACQUIRE_TIMEOUT_SECONDS": "0.5"]),
            waitUntilReady: false)
        try await service.process.waitForLog(event: "startup.database_retry", timeout: .seconds(5))
        #expect(await service.status("/livez") == 200, "\(service.process.output)")
        #expect(await service.status("/readyz") == 503, "\(service.process.output)")

        let exit = try await service.process.waitForExit(timeout: deadline + .seconds(5))
        let ranFor = exit.at - service.process.started
        #expect(exit.code == 1, "\(service.process.output)")
        // It gives up a little early (0.4 s here) so that its own error, not the runner's timeout, is logged.
        #expect(ranFor >= deadline - .milliseconds(500), "gave up after \(ranFor)")
        #expect(ranFor <= deadline + .seconds(1), "gave up after \(ranFor)")
        #expect(service.process.logLines(event: "startup.database_retry").count >= 2, "\(service.process.output)")
        let failure = service.process.logLines(event: "startup.failed")
        // Clear: what gave up, why, and what the database (here, nothing at that port) answered.
        #expect(
            failure.count == 1
                && failure.allSatisfy { $0.contains("the database did not answer within the startup deadline") && $0.contains("Connection refused") },
            "\(service.process.output)")
        #expect(!service.process.output.contains(password))
    }

    @Test func databaseAppearingBeforeTheStartupDeadlineTurnsReadinessGreen() async throws {
        let cluster = try await Blocking.run { try DedicatedCluster.start("e2e-startup") }
        defer { try? cluster.stop() }
        try await ServiceFixture.migrate(cluster.url)
        try await Blocking.run { try cluster.stop() }
        let service = try await ServiceFixture.serve(
            ServiceFixture.environment(url: cluster.url, ["STARTUP_DEADLINE_SECONDS": "60", "READINESS_CHECK_INTERVAL_SECONDS": "1"]),
            waitUntilReady: false)
        try await service.process.waitForLog(event: "startup.database_retry", timeout: .seconds(5))
        #expect(await service.status("/livez") == 200)
        #expect(await service.status("/readyz") == 503)

        try await Blocking.run { try cluster.start() }
        let up = ContinuousClock.now
        // Startup retries back off up to 5 s (Application.waitForDatabase), then the readiness checks run.
        try await Poll.until("/readyz to turn green", timeout: .seconds(15)) { await service.status("/readyz") == 200 }
        #expect(ContinuousClock.now - up <= .seconds(8))
        // Logs reach the pipe a few milliseconds after the fact: wait for the line before counting.
        _ = try await service.process.waitForLog(event: "startup.ready", timeout: .seconds(5))
        #expect(service.process.logLines(event: "startup.ready").count == 1, "\(service.process.output)")
        #expect(service.process.exit == nil)
        service.process.send(SIGTERM)
        #expect(try await service.process.waitForExit(timeout: .seconds(8)).code == 0, "\(service.process.output)")
        try await Blocking.run { try cluster.stop() }
    }

    /// Probes `/livez` every 50 ms until cancelled; returns every answer that was not 200.
    private static func livenessFailures(_ service: RunningService) async -> [String] {
        var failures: [String] = []
        while !Task.isCancelled {
            let status = await service.status("/livez")
            if status != 200 { failures.append(status.map(String.init) ?? "no answer") }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return failures
    }
}
