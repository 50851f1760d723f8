import Glibc
import HTTPServer
import IO
import Observability
import TestSupport
import Testing

@testable import Lifecycle

/// The runner's order of work, in process, driven by an injected signal stream instead of the process's signals.
@Suite struct ServiceRunnerTests {
    /// A runner on two free loopback ports whose lifespan records what it does in `events`.
    struct Harness {
        let runner: ServiceRunner
        let signals: AsyncStream<Int32>.Continuation
        let stream: AsyncStream<Int32>
        let events: Recorder<String>
        let group: EventLoopGroup

        init(backgroundEndsEarly: Bool = false) throws {
            group = try EventLoopGroup(threadCount: 1)
            let events = Recorder<String>()
            self.events = events
            let logger = Logger(label: "test", level: .critical)
            let health = HealthRegistry(checkInterval: .seconds(1), checkTimeout: .seconds(1))
            let router = Router()
            let traffic = HTTPServer(configuration: .init(host: "127.0.0.1", port: 0), responder: router, group: group)
            let admin = HTTPServer(configuration: .init(host: "127.0.0.1", port: 0), responder: router, group: group)
            let drain = DrainController(shutdownDelay: .milliseconds(50), health: health, trafficServer: traffic, logger: logger)
            let stopped = AsyncStream.makeStream(of: Void.self)
            var lifespan = Lifespan()
            lifespan.addBackgroundTask("loop") {
                events.append("background started")
                if !backgroundEndsEarly {
                    for await _ in stopped.stream {}
                }
                events.append("background ended")
            }
            lifespan.add("first") { events.append("start first") } shutdown: {
                events.append("stop first")
                stopped.continuation.finish()
            }
            lifespan.add("second") {
                // Serving must not begin before the steps finish: the probe is still red here.
                events.append("start second (ready: \(health.isStarted))")
            } shutdown: {
                events.append("stop second (listening: \(traffic.port > 0), open: \(traffic.openConnectionCount))")
            }
            runner = ServiceRunner(
                trafficServer: traffic, adminServer: admin, health: health, drain: drain, lifespan: lifespan,
                timing: .init(drainTimeout: .seconds(1), startupDeadline: .seconds(5), terminationGracePeriod: .seconds(30)),
                logger: logger
            )
            (stream, signals) = AsyncStream.makeStream(of: Int32.self)
        }
    }

    @Test func startsInOrderServesUntilTheSignalThenStopsInReverse() async throws {
        let harness = try Harness()
        defer { harness.group.shutdown() }
        let running = Task { await harness.runner.run(signals: harness.stream) }
        try await Poll.until("ready", timeout: .seconds(5)) { harness.runner.health.isStarted }
        #expect(!harness.runner.health.isTerminating)
        harness.signals.yield(SIGTERM)
        let code = await running.value
        #expect(code == 0)
        #expect(harness.runner.health.isTerminating)
        #expect(
            harness.events.values == [
                "background started", "start first", "start second (ready: false)", "stop second (listening: true, open: 0)",
                "stop first", "background ended",
            ])
    }

    @Test func aBackgroundTaskThatEndsEarlyShutsTheServiceDownWithExit1() async throws {
        let harness = try Harness(backgroundEndsEarly: true)
        defer { harness.group.shutdown() }
        let code = await harness.runner.run(signals: harness.stream)
        #expect(code == 1)
        let events = harness.events.values
        #expect(events.first == "background started")
        #expect(events.contains("stop first"), "the started steps still shut down: \(events)")
    }

    @Test func aSecondSignalReturnsAtOnceWith130() async throws {
        let harness = try Harness()
        defer { harness.group.shutdown() }
        let running = Task { await harness.runner.run(signals: harness.stream) }
        try await Poll.until("ready", timeout: .seconds(5)) { harness.runner.health.isStarted }
        harness.signals.yield(SIGTERM)
        harness.signals.yield(SIGINT)
        #expect(await running.value == ServiceRunner.immediateExitCode)
    }
}
