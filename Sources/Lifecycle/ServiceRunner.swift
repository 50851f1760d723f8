import Glibc
public import HTTPServer
import IO
public import Observability

/// Runs a service through its whole life: bind, start, serve, drain, stop.
///
/// 1. Both servers bind first, so probes answer while startup runs (liveness green, readiness red).
/// 2. Lifespan startup steps run in order, each with its time limit; a failure exits non-zero.
/// 3. Readiness turns green. The service runs until SIGTERM or SIGINT (or `/prestop`).
/// 4. Drain: readiness red and the shutdown delay with `Connection: close` (``DrainController``);
///    then the listener closes, idle connections close, in-flight requests get the drain timeout,
///    whatever remains is cancelled. Then lifespan shutdown in reverse, each step with its limit.
/// 5. A second signal exits at once.
/// Each phase is logged with its duration.
public struct ServiceRunner: Sendable {
    /// The time limits of the drain.
    public struct Timing: Sendable {
        /// How long in-flight requests may take after the listener closed.
        public var drainTimeout: Duration
        /// The longest the whole startup may take (retries included).
        public var startupDeadline: Duration

        /// Creates the timing.
        public init(drainTimeout: Duration, startupDeadline: Duration) {
            self.drainTimeout = drainTimeout
            self.startupDeadline = startupDeadline
        }
    }

    let trafficServer: HTTPServer
    let adminServer: HTTPServer
    let health: HealthRegistry
    let drain: DrainController
    let lifespan: Lifespan
    let timing: Timing
    let logger: Logger

    /// Creates a runner; the servers must not be started yet.
    public init(
        trafficServer: HTTPServer, adminServer: HTTPServer, health: HealthRegistry, drain: DrainController, lifespan: Lifespan,
        timing: Timing, logger: Logger
    ) {
        self.trafficServer = trafficServer
        self.adminServer = adminServer
        self.health = health
        self.drain = drain
        self.lifespan = lifespan
        self.timing = timing
        self.logger = logger
    }

    /// Runs until shut down; returns the process exit code (0 clean, 1 if startup failed or the drain had to force).
    ///
    /// `@concurrent`: on the global executor whoever calls it, even `main`'s top-level code on the main actor.
    @concurrent public func run() async -> Int32 {
        let signals = SignalListener()
        let firstSignal = AsyncLatch<Int32>()
        let logger = self.logger
        let signalWatcher = Task {
            var seen = 0
            for await number in signals.signals {
                seen += 1
                guard seen > 1 else {
                    firstSignal.set(number)
                    continue
                }
                logger.critical("second signal: exiting at once", ["event": "shutdown.forced", "signal": .string(SignalListener.name(number))])
                _ = LogSink.standardOutput.flush(timeout: .milliseconds(200))
                exit(130)
            }
        }
        defer { signalWatcher.cancel() }
        let processStart = MonotonicInstant.now()
        do {
            try trafficServer.start()
            try adminServer.start()
        } catch {
            logger.critical("could not listen", ["event": "startup.failed", "error": .string(String(describing: error))])
            return 1
        }
        logger.info("listening", ["event": "startup.listening", "http_port": .int(trafficServer.port), "admin_port": .int(adminServer.port)])

        // Startup races the first signal: a pod deleted while starting stops without waiting for startup.
        let startupOutcome = AsyncLatch<Int?>()
        let startup = Task {
            let completed = await runStartup()
            startupOutcome.set(completed)
            return completed
        }
        Task {
            _ = await firstSignal.value
            startupOutcome.set(nil)
        }
        let startedSteps = await startupOutcome.value
        guard let startedSteps, startedSteps == lifespan.steps.count else {
            startup.cancel()
            let completed = await startup.value
            logger.error("startup did not complete; shutting down", ["event": "startup.aborted"])
            await shutdownSteps(count: completed)
            return startedSteps == nil ? 0 : 1
        }
        health.markStarted()
        logger.notice("ready", ["event": "startup.ready", "startup_ms": .milliseconds(MonotonicInstant.now().duration(since: processStart))])

        let signal = await firstSignal.value
        return await shutdown(after: SignalListener.name(signal))
    }

    /// Runs the startup steps in order; returns how many completed (all of them on success).
    private func runStartup() async -> Int {
        var completed = 0
        let deadline = MonotonicInstant.now() + timing.startupDeadline
        for step in lifespan.steps {
            let started = MonotonicInstant.now()
            let limit = min(step.startupTimeout, deadline.duration(since: started))
            do {
                try await withDeadline(limit, operation: "startup step '\(step.name)'", step.startup)
                completed += 1
                logger.info("startup step finished", [
                    "event": "startup.step", "step": .string(step.name), "duration_ms": .milliseconds(MonotonicInstant.now().duration(since: started)),
                ])
            } catch {
                logger.critical("startup step failed", ["event": "startup.failed", "step": .string(step.name), "error": .string(String(describing: error))])
                return completed
            }
        }
        return completed
    }

    private func shutdown(after trigger: String) async -> Int32 {
        var forced = false
        var phaseStart = MonotonicInstant.now()
        func phaseDone(_ event: String, _ message: String, _ extra: KeyValuePairs<String, LogValue> = [:]) {
            let now = MonotonicInstant.now()
            logger.with(extra).notice(message, ["event": .string(event), "duration_ms": .milliseconds(now.duration(since: phaseStart))])
            phaseStart = now
        }

        await drain.waitForDelay(trigger: trigger)
        phaseDone("shutdown.delay_elapsed", "shutdown delay elapsed")

        await trafficServer.stopAccepting()
        await trafficServer.quiesce()
        phaseDone("shutdown.stopped_listening", "stopped accepting; idle connections closed", ["open_connections": .int(trafficServer.openConnectionCount)])

        if await trafficServer.waitForConnectionsToClose(timeout: timing.drainTimeout) {
            phaseDone("shutdown.drained", "in-flight requests finished")
        } else {
            forced = true
            let remaining = trafficServer.openConnectionCount
            await trafficServer.forceCloseConnections()
            _ = await trafficServer.waitForConnectionsToClose(timeout: .seconds(1))
            phaseDone("shutdown.drain_timeout", "drain timeout: cancelled remaining requests", ["connections": .int(remaining)])
        }

        if await !shutdownSteps(count: lifespan.steps.count) { forced = true }
        phaseDone("shutdown.lifespan_done", "lifespan shutdown finished")

        await adminServer.stopAccepting()
        await adminServer.forceCloseConnections()
        logger.notice("stopped", ["event": "shutdown.complete", "exit_code": .int(forced ? 1 : 0)])
        return forced ? 1 : 0
    }

    /// Shuts down the first `count` steps in reverse order; returns false if any failed or timed out.
    @discardableResult
    private func shutdownSteps(count: Int) async -> Bool {
        var clean = true
        for step in lifespan.steps.prefix(count).reversed() {
            let started = MonotonicInstant.now()
            do {
                try await withDeadline(step.shutdownTimeout, operation: "shutdown step '\(step.name)'", step.shutdown)
                logger.info("shutdown step finished", [
                    "event": "shutdown.step", "step": .string(step.name), "duration_ms": .milliseconds(MonotonicInstant.now().duration(since: started)),
                ])
            } catch {
                clean = false
                logger.error("shutdown step failed", ["event": "shutdown.step_failed", "step": .string(step.name), "error": .string(String(describing: error))])
            }
        }
        return clean
    }
}
