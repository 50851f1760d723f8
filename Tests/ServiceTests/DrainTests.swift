import Glibc
import TestSupport
import Testing

/// SIGTERM and `/prestop` against the real binary: in-flight work survives, overlong work is cancelled, the exit
/// is on time, and a preStop hook followed by SIGTERM costs one shutdown delay.
@Suite(.requiresPostgreSQL) struct DrainTests {
    @Test(arguments: ServiceExecutable.allCases) func requestInFlightSurvivesSigterm(_ executable: ServiceExecutable) async throws {
        let schema = try await ServiceFixture.migratedSchema(executable, "inflight")
        let service = try await ServiceFixture.serve(
            executable,
            ServiceFixture.environment(schema: schema, ["ENABLE_TEST_HOOKS": "true", "SHUTDOWN_DELAY_SECONDS": "1", "DRAIN_TIMEOUT_SECONDS": "3"]))
        let client = try await TCPClient.connect(port: service.httpPort)
        let sent = ContinuousClock.now
        try await client.send("GET /debug/sleep?seconds=2 HTTP/1.1\r\nHost: service\r\n\r\n")
        try await ServiceFixture.waitForSleepingQueries(schema, count: 1, timeout: .seconds(5))

        let signalled = ContinuousClock.now
        service.process.send(SIGTERM)
        let response = try await client.readResponse(timeout: .seconds(8))
        let answered = ContinuousClock.now
        // As a real client does after `Connection: close` (the server lingers until the client closes).
        client.close()

        #expect(response.status == 200, "\(response.text)")
        #expect(response.closesConnection, "a response during the drain must close its connection")
        #expect(answered - sent >= .seconds(2))
        let exit = try await service.process.waitForExit(timeout: .seconds(8))
        #expect(exit.code == 0, "\(service.process.output)")
        // The request ends 1 s after SIGTERM at most (it had started before): well inside delay + drain + 1 s.
        #expect(exit.at - signalled <= .seconds(1 + 3 + 1))
        #expect(service.process.logLines(event: "shutdown.drained").count == 1, "\(service.process.output)")
        try await ServiceFixture.drop(schema)
    }

    /// Past the drain timeout the request is cancelled, down to its query on the server, and the process exits on
    /// time with 1: ServiceRunner's contract is 0 for a clean drain, 1 when anything had to be forced.
    @Test(arguments: ServiceExecutable.allCases) func requestLongerThanTheDrainTimeoutIsCancelledAndTheExitIsOnTime(_ executable: ServiceExecutable) async throws {
        let schema = try await ServiceFixture.migratedSchema(executable, "overlong")
        let service = try await ServiceFixture.serve(
            executable,
            ServiceFixture.environment(schema: schema, ["ENABLE_TEST_HOOKS": "true", "SHUTDOWN_DELAY_SECONDS": "1", "DRAIN_TIMEOUT_SECONDS": "2"]))
        let client = try await TCPClient.connect(port: service.httpPort)
        try await client.send("GET /debug/sleep?seconds=30 HTTP/1.1\r\nHost: service\r\n\r\n")
        try await ServiceFixture.waitForSleepingQueries(schema, count: 1, timeout: .seconds(5))

        let signalled = ContinuousClock.now
        service.process.send(SIGTERM)
        let exit = try await service.process.waitForExit(timeout: .seconds(10))

        #expect(exit.code == 1, "\(service.process.output)")
        #expect(exit.at - signalled <= .seconds(1 + 2 + 1), "exit after \(exit.at - signalled)")
        #expect(exit.at - signalled >= .seconds(1 + 2), "exit after \(exit.at - signalled): the drain did not wait its timeout")
        #expect(service.process.logLines(event: "shutdown.drain_timeout").count == 1, "\(service.process.output)")
        // The client sees its connection end (or a 503), never a success the server did not produce.
        let late = try? await client.readResponse(timeout: .seconds(2))
        #expect(late == nil || late?.status == 503, "\(late?.text ?? "")")
        // A backend does not notice its client is gone while it sleeps: only a cancel request stops it. Without one
        // it would still be sleeping here, 30 s long.
        try await ServiceFixture.waitForSleepingQueries(schema, count: 0, timeout: .seconds(3))
        try await ServiceFixture.drop(schema)
    }

    /// The kubelet runs the preStop hook, waits for it, then sends SIGTERM: the delay is served once, by the hook.
    @Test(arguments: ServiceExecutable.allCases) func prestopThenSigtermTakesOneDelay(_ executable: ServiceExecutable) async throws {
        let schema = try await ServiceFixture.migratedSchema(executable, "prestop")
        let delay = Duration.seconds(2)
        let service = try await ServiceFixture.serve(
            executable,
            ServiceFixture.environment(
                schema: schema,
                ["ENABLE_TEST_HOOKS": "true", "SHUTDOWN_DELAY_SECONDS": "2", "DRAIN_TIMEOUT_SECONDS": "3", "PRESTOP_TOKEN": PrestopTests.token]))

        let hookStarted = ContinuousClock.now
        async let hook = service.prestop(token: PrestopTests.token)
        try await Poll.until("/readyz to turn red during the hook", timeout: .seconds(1)) { await service.status("/readyz") == 503 }
        #expect(await service.status(ServiceFixture.databaseRoute) == 200, "the delay must keep serving")
        let hookResponse = try await hook
        let hookReturned = ContinuousClock.now
        #expect(hookResponse.status == 200)
        #expect(hookReturned - hookStarted >= delay, "the hook returned after \(hookReturned - hookStarted)")

        let signalled = ContinuousClock.now
        service.process.send(SIGTERM)
        let exit = try await service.process.waitForExit(timeout: .seconds(8))
        #expect(exit.code == 0, "\(service.process.output)")
        // A second delay would put the exit 2 s after SIGTERM.
        #expect(exit.at - signalled < delay / 2, "exit \(exit.at - signalled) after SIGTERM")
        #expect(service.process.logLines(event: "shutdown.initiated").count == 1, "\(service.process.output)")
        try await ServiceFixture.drop(schema)
    }

    /// An operator's second Ctrl-C (or a second SIGTERM) does not wait for the delay: the process exits at once, with
    /// 130 as ServiceRunner documents.
    @Test(arguments: ServiceExecutable.allCases) func secondSignalExitsAtOnce(_ executable: ServiceExecutable) async throws {
        let schema = try await ServiceFixture.migratedSchema(executable, "second_signal")
        let service = try await ServiceFixture.serve(executable, ServiceFixture.environment(schema: schema, ["SHUTDOWN_DELAY_SECONDS": "10"]))
        service.process.send(SIGTERM)
        try await service.process.waitForLog(event: "shutdown.initiated", timeout: .seconds(5))
        let signalled = ContinuousClock.now
        service.process.send(SIGINT)
        let exit = try await service.process.waitForExit(timeout: .seconds(5))
        #expect(exit.code == 130, "\(service.process.output)")
        #expect(exit.at - signalled < .seconds(1), "exit \(exit.at - signalled) after the second signal")
        #expect(service.process.logLines(event: "shutdown.forced").count == 1, "\(service.process.output)")
        try await ServiceFixture.drop(schema)
    }
}
