import HTTPServer
import IO
import Observability
import Postgres
import TestSupport

@testable import Lifecycle
@testable import ServiceKit

/// The real ``ServiceAssembly`` of ``FixtureApplication`` in this process, on 127.0.0.1 ports the kernel picks and the test database.
///
/// It starts what ``ServiceRunner/run()`` starts (both listeners, the lifespan, readiness) without
/// installing signal handlers in the test process, and tears it all down afterwards.
struct LiveApplication {
    let application: ServiceAssembly

    var trafficPort: Int { application.runner.trafficServer.port }
    var adminPort: Int { application.runner.adminServer.port }

    /// Runs `body` against a started application, then stops it, also when `body` throws.
    static func with(requestMetrics: Bool = true, testHooks: Bool = false, _ body: (LiveApplication) async throws -> Void) async throws {
        let configuration = ServiceConfiguration(
            http: HTTPServerConfiguration(host: "127.0.0.1", port: 0), adminHost: "127.0.0.1", adminPort: 0, ioThreads: 2,
            database: .fixed(try PoolFixture.configuration()), pool: PostgresPoolConfiguration(minimumConnections: 1, maximumConnections: 4),
            shutdownDelay: .zero, accessLog: false, requestMetrics: requestMetrics, testHooks: testHooks, logLevel: .critical
        )
        let application = try ServiceAssembly(
            FixtureApplication.self, settings: (), configuration: configuration, logger: Logger(label: "test", level: .critical)
        )
        let runner = application.runner
        // The pool's loop, as ServiceRunner runs it: a background task until the steps shut down.
        let background = Task {
            await withTaskGroup(of: Void.self) { group in
                for task in runner.lifespan.backgroundTasks { group.addTask { await task.run() } }
            }
        }
        defer { background.cancel() }
        var started = 0
        do {
            try runner.trafficServer.start()
            try runner.adminServer.start()
            for step in runner.lifespan.steps {
                try await step.startup()
                started += 1
            }
            runner.health.markStarted()
            try await body(LiveApplication(application: application))
        } catch {
            await stop(application, startedSteps: started)
            throw error
        }
        await stop(application, startedSteps: started)
    }

    private static func stop(_ application: ServiceAssembly, startedSteps: Int) async {
        let runner = application.runner
        for server in [runner.trafficServer, runner.adminServer] {
            await server.stopAccepting()
            await server.forceCloseConnections()
            _ = await server.waitForConnectionsToClose(timeout: .seconds(2))
        }
        for step in runner.lifespan.steps.prefix(startedSteps).reversed() {
            try? await step.shutdown()
        }
        application.group.shutdown()
    }
}
