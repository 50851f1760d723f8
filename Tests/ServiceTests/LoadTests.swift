import Glibc
import TestSupport
import Testing

/// The two tests that load the machine and measure latency run one after the other, so neither skews the other.
@Suite(.serialized, .requiresPostgreSQL) struct LoadTests {
    /// 32 keep-alive clients under steady load, then SIGTERM: nothing is lost.
    ///
    /// What "zero failed requests" means, from kube-proxy's point of view: kube-proxy sends each *new* connection to
    /// an endpoint that is still listed, and never moves an established one. Endpoint removal propagates
    /// asynchronously after SIGTERM; the shutdown delay is the time it is given. So:
    /// - every request sent on a connection the pod accepted must get a complete 200: a reset, an early close,
    ///   a timeout or a 5xx is a failed request, whenever it happens;
    /// - a connect refused before SIGTERM + the delay is a failure: the pod stopped listening while it could still
    ///   be routed to;
    /// - a connect refused after that is "the pod is gone", not a failure: kube-proxy would already send that
    ///   connection elsewhere, and nothing was sent on it, so any client can retry it; so is a connect reset
    ///   because its handshake raced the listener's close;
    /// - a connection the server closes while it is idle between requests is not a failure either: the client
    ///   sees the close before reusing it and reconnects.
    /// Every connection must end with a `Connection: close` response or such a clean close.
    @Test(arguments: ServiceExecutable.allCases) func steadyKeepAliveLoadThroughSigtermLosesNothing(_ executable: ServiceExecutable) async throws {
        let schema = try await ServiceFixture.migratedSchema(executable, "load")
        let delay = Duration.seconds(1)
        let drain = Duration.seconds(3)
        let service = try await ServiceFixture.serve(
            executable,
            ServiceFixture.environment(
                schema: schema,
                ["ENABLE_TEST_HOOKS": "true", "SHUTDOWN_DELAY_SECONDS": "1", "DRAIN_TIMEOUT_SECONDS": "3", "DB_POOL_MAX": "16", "ACCESS_LOG": "false"]))
        let load = KeepAliveLoad(
            port: service.httpPort, clients: 32, request: "GET \(ServiceFixture.databaseRoute) HTTP/1.1\r\nHost: service\r\n\r\n", shutdownDelay: delay,
            pacing: .milliseconds(50))
        defer { load.stop() }
        let running = Task { await load.run() }
        try await Poll.until("every client to reuse its connection 5 times", timeout: .seconds(20)) { load.fewestKeepAliveResponses >= 5 }

        let signalled = ContinuousClock.now
        load.markSignalled(at: signalled)
        service.process.send(SIGTERM)
        let exit = try await service.process.waitForExit(timeout: delay + drain + .seconds(5))
        let reports = await running.value

        // Every request sent on a connection the pod accepted is answered, up to the listener's close: also on
        // connections accepted in its last moments (their first request is served, see HTTPConnectionStateMachine).
        let failures = reports.flatMap(\.failures)
        #expect(
            failures.isEmpty, "\(failures.count) failed requests, first ones:\n\(failures.prefix(10).map(\.description).joined(separator: "\n"))")
        #expect(reports.allSatisfy { $0.podGoneAt != nil }, "every client keeps going until the listener is gone")
        for (index, report) in reports.enumerated() {
            #expect(report.connectionEnds.count == report.connectionsOpened, "client \(index): a connection did not end")
            #expect(report.responsesAfterSignal >= 1, "client \(index) was not served during the shutdown delay")
        }
        #expect(exit.code == 0, "\(service.process.output)")
        #expect(exit.at - signalled >= delay, "exit after \(exit.at - signalled): the delay was skipped")
        #expect(exit.at - signalled <= delay + drain + .seconds(1), "exit after \(exit.at - signalled)")
        try await ServiceFixture.drop(schema)
    }

    /// Issue 3's proof that nothing blocks: 64 queries sleeping in PostgreSQL at once, and `/livez` (served by the
    /// same event loops that drive the database sockets) stays fast throughout.
    @Test func sixtyFourSleepingQueriesDoNotSlowLiveness() async throws {
        let schema = try await ServiceFixture.migratedSchema("parallel")
        let service = try await ServiceFixture.serve(
            ServiceFixture.environment(
                schema: schema, ["ENABLE_TEST_HOOKS": "true", "DB_POOL_MIN": "64", "DB_POOL_MAX": "64", "DB_ACQUIRE_TIMEOUT_SECONDS": "10"]))
        // A warm pool, so what is measured is serving, not connecting.
        try await Poll.until("64 idle pool connections", timeout: .seconds(20), interval: .milliseconds(100)) {
            (try? await service.admin("GET", "/metrics"))?.text.contains("db_pool_connections{state=\"idle\"} 64") == true
        }
        let clients = try await TCPClient.connectMany(64, port: service.httpPort)
        let requests = Array(repeating: "GET /debug/sleep?seconds=0.5 HTTP/1.1\r\nHost: service\r\n\r\n", count: 64)
        let prober = Prober(port: service.httpPort, path: "/livez")
        defer { prober.stop() }
        let probing = Task { try await Blocking.run { prober.run() } }
        let sleeps = Task { try await TCPClient.exchangeAll(clients, requests: requests, timeout: .seconds(10)) }
        try await ServiceFixture.waitForSleepingQueries(schema, count: 64, timeout: .seconds(5), interval: .milliseconds(5))
        let probesBefore = prober.results.count
        let responses = try await sleeps.value
        prober.stop()
        try await probing.value
        let results = prober.results
        let latencies = results.compactMap(\.latency)
        let failures = results.filter { $0.status != 200 }

        #expect(responses.count == 64 && responses.allSatisfy { $0.status == 200 }, "\(responses.map(\.status))")
        #expect(failures.isEmpty, "\(failures)")
        #expect(results.count - probesBefore >= 3, "only \(results.count - probesBefore) probes while the queries slept")
        // A loop held up by a query would delay a probe by the whole 500 ms sleep. Probing from a thread of its own,
        // the slowest probe measured 14 ms here with two busy loops beside the whole suite.
        let slowest = latencies.max() ?? .zero
        #expect(slowest < .milliseconds(100), "the slowest /livez took \(slowest); all: \(latencies)")
        service.process.send(SIGTERM)
        #expect(try await service.process.waitForExit(timeout: .seconds(8)).code == 0)
        try await ServiceFixture.drop(schema)
    }
}
