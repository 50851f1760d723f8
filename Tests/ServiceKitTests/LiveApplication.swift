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
        var settings = ServiceSettings(database: .init(url: Secret(TestPostgres.url)))
        settings.http.host = "127.0.0.1"
        settings.http.port = 0
        settings.admin.host = "127.0.0.1"
        settings.admin.port = 0
        settings.ioThreads = 2
        settings.database.poolMax = 4
        settings.database.acquireTimeout = PoolFixture.unhurriedAcquire
        settings.lifespan.shutdownDelay = .zero
        settings.logging.accessLog = false
        settings.logging.requestMetrics = requestMetrics
        settings.logging.level = .critical
        settings.enableTestHooks = testHooks
        let configuration = try ServiceConfiguration(settings: settings)
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
