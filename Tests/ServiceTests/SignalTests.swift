import Glibc
import TestSupport
import Testing

/// Signals whose default action would end the process, against the real binary: each one drains or is logged and
/// ignored (SignalPolicy), never a silent death.
@Suite(.requiresPostgreSQL) struct SignalTests {
    /// `kill -HUP` (what Gunicorn users send to reload) once ended the process by its default action, dropping what
    /// was in flight. Now it is logged and ignored: the request finishes, the process serves on.
    @Test func sighupIsLoggedAndIgnoredWithoutDroppingARequest() async throws {
        let schema = try await ServiceFixture.migratedSchema("sighup")
        let service = try await ServiceFixture.serve(ServiceFixture.environment(schema: schema, ["ENABLE_TEST_HOOKS": "true"]))
        let client = try await TCPClient.connect(port: service.httpPort)
        defer { client.close() }
        try await client.send("GET /debug/sleep?seconds=1 HTTP/1.1\r\nHost: service\r\n\r\n")
        try await ServiceFixture.waitForSleepingQueries(schema, count: 1, timeout: .seconds(5))

        for signal in [SIGHUP, SIGUSR1, SIGUSR2] { service.process.send(signal) }
        let response = try await client.readResponse(timeout: .seconds(5))
        #expect(response.status == 200, "\(response.text)")
        #expect(!response.closesConnection, "an ignored signal must not begin a drain")
        try await Poll.until("three signal.ignored lines", timeout: .seconds(2)) { service.process.logLines(event: "signal.ignored").count == 3 }
        #expect(service.process.logLines(event: "signal.ignored").contains { $0.contains("\"signal\":\"SIGHUP\"") }, "\(service.process.output)")
        #expect(service.process.exit == nil, "\(service.process.output)")
        #expect(await service.status("/readyz") == 200)

        service.process.send(SIGTERM)
        #expect(try await service.process.waitForExit(timeout: .seconds(8)).code == 0, "\(service.process.output)")
        try await ServiceFixture.drop(schema)
    }

    /// SIGQUIT (the stop signal of some images, nginx's graceful quit) drains like SIGTERM.
    @Test func sigquitDrainsLikeSigterm() async throws {
        let schema = try await ServiceFixture.migratedSchema("sigquit")
        let service = try await ServiceFixture.serve(ServiceFixture.environment(schema: schema))
        service.process.send(SIGQUIT)
        let exit = try await service.process.waitForExit(timeout: .seconds(8))
        #expect(exit.code == 0, "\(service.process.output)")
        let initiated = service.process.logLines(event: "shutdown.initiated")
        #expect(initiated.count == 1 && initiated[0].contains("\"trigger\":\"SIGQUIT\""), "\(service.process.output)")
        #expect(service.process.logLines(event: "shutdown.drained").count == 1, "\(service.process.output)")
        try await ServiceFixture.drop(schema)
    }
}
