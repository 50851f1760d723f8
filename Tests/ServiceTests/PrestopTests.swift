import Glibc
import TestSupport
import Testing

/// `/prestop` against the real binary: only a caller with the configured token may begin termination, and a
/// `/prestop` that no SIGTERM follows ends the process instead of leaving it unready for good.
@Suite(.requiresPostgreSQL) struct PrestopTests {
    static let token = "prestop-test-token-0123456789"

    @Test func prestopWithoutTheTokenIsRefusedAndChangesNothing() async throws {
        let schema = try await ServiceFixture.migratedSchema("prestop_refused")
        let service = try await ServiceFixture.serve(ServiceFixture.environment(schema: schema, ["PRESTOP_TOKEN": Self.token]))

        let missing = try await service.admin("GET", "/prestop")
        let wrong = try await service.prestop(token: "prestop-test-token-0123456788")
        #expect(missing.status == 403, "\(missing.text)")
        #expect(wrong.status == 403, "\(wrong.text)")
        #expect(await service.status("/readyz") == 200, "a refused /prestop must leave readiness green")
        try await Poll.until("two prestop.refused lines", timeout: .seconds(2)) { service.process.logLines(event: "prestop.refused").count == 2 }
        #expect(service.process.logLines(event: "shutdown.initiated").isEmpty, "\(service.process.output)")
        #expect(!service.process.output.contains(Self.token), "the token must never reach the output")
        // The detailed probes and the metrics stay readable without it.
        #expect(try await service.admin("GET", "/readyz?verbose").status == 200)
        #expect(try await service.admin("GET", "/metrics").status == 200)

        let accepted = try await service.prestop(token: Self.token)
        #expect(accepted.status == 200, "\(accepted.text)")
        #expect(await service.status("/readyz") == 503, "the kubelet's hook begins termination")
        service.process.send(SIGTERM)
        #expect(try await service.process.waitForExit(timeout: .seconds(8)).code == 0, "\(service.process.output)")
        try await ServiceFixture.drop(schema)
    }

    /// No token configured: no caller can pull the lever, and startup says so.
    @Test func withoutATokenEveryPrestopIsRefused() async throws {
        let schema = try await ServiceFixture.migratedSchema("prestop_disabled")
        let service = try await ServiceFixture.serve(ServiceFixture.environment(schema: schema))
        _ = try await service.process.waitForLog(event: "startup.prestop_disabled", timeout: .seconds(5))
        #expect(service.process.logLines(event: "startup.prestop_disabled").count == 1, "\(service.process.output)")
        #expect(try await service.prestop(token: Self.token).status == 403)
        #expect(await service.status("/readyz") == 200)
        service.process.send(SIGTERM)
        #expect(try await service.process.waitForExit(timeout: .seconds(8)).code == 0, "\(service.process.output)")
        try await ServiceFixture.drop(schema)
    }

    /// An operator's curl through a port-forward: readiness red, no SIGTERM ever. After the grace period the process
    /// says so and exits 1, so the kubelet restarts the container instead of leaving it `0/1 Ready`.
    @Test func prestopThatNoSignalFollowsEndsTheProcessAfterTheGracePeriod() async throws {
        let schema = try await ServiceFixture.migratedSchema("prestop_orphaned")
        let grace = Duration.seconds(4)
        let service = try await ServiceFixture.serve(
            ServiceFixture.environment(schema: schema, [
                "PRESTOP_TOKEN": Self.token, "TERMINATION_GRACE_PERIOD_SECONDS": "4", "SHUTDOWN_DELAY_SECONDS": "0.5",
                "DRAIN_TIMEOUT_SECONDS": "1", "SHUTDOWN_HOOK_TIMEOUT_SECONDS": "0.5",
            ]))

        let called = ContinuousClock.now
        #expect(try await service.prestop(token: Self.token).status == 200)
        #expect(await service.status("/readyz") == 503)
        try await Task.sleep(until: called + grace - .seconds(1))
        #expect(service.process.exit == nil, "it must wait the whole grace period for SIGTERM: \(service.process.output)")

        let exit = try await service.process.waitForExit(timeout: .seconds(5))
        #expect(exit.code == 1, "\(service.process.output)")
        #expect(exit.at - called >= grace, "exit \(exit.at - called) after /prestop")
        #expect(exit.at - called <= grace + .seconds(3), "exit \(exit.at - called) after /prestop")
        let orphaned = service.process.logLines(event: "shutdown.prestop_orphaned")
        #expect(orphaned.count == 1 && orphaned[0].contains("\"level\":\"critical\""), "\(service.process.output)")
        #expect(service.process.logLines(event: "shutdown.complete").count == 1, "the drain still runs: \(service.process.output)")
        try await ServiceFixture.drop(schema)
    }

    /// A real termination: SIGTERM follows the hook in time, so the watchdog never fires and the exit is clean.
    @Test func prestopFollowedBySigtermExitsCleanly() async throws {
        let schema = try await ServiceFixture.migratedSchema("prestop_followed")
        let service = try await ServiceFixture.serve(
            ServiceFixture.environment(schema: schema, [
                "PRESTOP_TOKEN": Self.token, "TERMINATION_GRACE_PERIOD_SECONDS": "4", "SHUTDOWN_DELAY_SECONDS": "0.5",
                "DRAIN_TIMEOUT_SECONDS": "1", "SHUTDOWN_HOOK_TIMEOUT_SECONDS": "0.5",
            ]))
        #expect(try await service.prestop(token: Self.token).status == 200)
        service.process.send(SIGTERM)
        let exit = try await service.process.waitForExit(timeout: .seconds(5))
        #expect(exit.code == 0, "\(service.process.output)")
        #expect(service.process.logLines(event: "shutdown.prestop_orphaned").isEmpty, "\(service.process.output)")
        try await ServiceFixture.drop(schema)
    }
}

extension RunningService {
    /// `GET /prestop` on the admin port with `X-Prestop-Token: token`, as the Deployment's preStop hook sends it.
    func prestop(token: String, timeout: Duration = .seconds(10)) async throws -> HTTPTestResponse {
        let client = try await TCPClient.connect(port: adminPort)
        defer { client.close() }
        return try await client.request(
            "GET /prestop HTTP/1.1\r\nHost: service\r\nX-Prestop-Token: \(token)\r\nConnection: close\r\n\r\n", timeout: timeout)
    }
}
