public import HTTPServer
import IO
public import Observability

/// Runs a service through its whole life: bind, start, serve, drain, stop.
///
/// 1. Both servers bind first, so probes answer while startup runs (liveness green, readiness red).
/// 2. Lifespan startup steps run in order, each with its time limit; a failure exits non-zero.
/// 3. Readiness turns green. The service runs until a draining signal (``SignalPolicy``: SIGTERM, SIGINT, SIGQUIT;
///    other signals that would end the process are logged and ignored) or `/prestop`. A `/prestop` that no signal
///    follows within the grace period is not a real termination: the service shuts down and exits 1, so the kubelet
///    restarts a container that would otherwise stay unready for good.
/// 4. Drain: readiness red and the shutdown delay with `Connection: close` (``DrainController``);
///    then the listener closes, idle connections close, in-flight requests get the drain timeout,
///    whatever remains is cancelled. Then lifespan shutdown in reverse, each step with its limit.
/// 5. A second draining signal ends ``run()`` at once with 130.
/// Each phase is logged with its duration.
public struct ServiceRunner: Sendable {
    /// The time limits of the drain.
    public struct Timing: Sendable {
        /// How long in-flight requests may take after the listener closed.
        public var drainTimeout: Duration
        /// The longest the whole startup may take (retries included).
        public var startupDeadline: Duration
        /// The pod's `terminationGracePeriodSeconds`: a `/prestop` that no SIGTERM follows within it ends the process.
        public var terminationGracePeriod: Duration

        /// Creates the timing.
        public init(drainTimeout: Duration, startupDeadline: Duration, terminationGracePeriod: Duration) {
            self.drainTimeout = drainTimeout
            self.startupDeadline = startupDeadline
            self.terminationGracePeriod = terminationGracePeriod
        }
    }

    /// The exit code when a second draining signal cut the drain short; ``run()`` returns it at once, with work still
    /// running, so the caller must exit without waiting for anything.
    public static let immediateExitCode: Int32 = 130

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

    /// Runs until shut down; returns the process exit code: 0 clean; 1 if startup failed, the drain had to force,
    /// or `/prestop` was not followed by SIGTERM within the grace period; 130 when a second draining signal cut the
    /// drain short (returned at once, with the drain still running: the caller exits the process).
    ///
    /// `@concurrent`: on the global executor whoever calls it, even `main`'s top-level code on the main actor.
    @concurrent public func run() async -> Int32 {
        let listener = SignalListener()
        let code = await run(signals: listener.signals)
        // The listener's sources deliver the signals only while it lives.
        withExtendedLifetime(listener) {}
        return code
    }

    /// ``run()`` with the signals from `signals` instead of the process's: tests drive the whole life in process.
    func run(signals: AsyncStream<Int32>) async -> Int32 {
        let trigger = AsyncLatch<Trigger>()
        let exitCode = AsyncLatch<Int32>()
        let logger = self.logger
        let signalWatcher = Task {
            var policy = SignalPolicy()
            for await number in signals {
                let name = SignalPolicy.name(number)
                switch policy.receive(number) {
                case .beginDrain:
                    trigger.set(.signal(name))
                case .exitNow:
                    logger.critical("second signal: exiting at once", ["event": "shutdown.forced", "signal": .string(name)])
                    exitCode.set(Self.immediateExitCode)
                case .ignore(let reason):
                    logger.warning("signal ignored", ["event": "signal.ignored", "signal": .string(name), "reason": .string(reason)])
                }
            }
        }
        let prestopWatchdog = Task {
            for await began in drain.prestopBegan {
                let deadline = began + timing.terminationGracePeriod
                try? await Task.sleep(for: deadline.duration(since: .now()))
                if !Task.isCancelled { trigger.set(.prestopWithoutSignal) }
            }
        }
        Task { exitCode.set(await runLifecycle(trigger: trigger)) }
        let code = await exitCode.value
        signalWatcher.cancel()
        prestopWatchdog.cancel()
        return code
    }

    /// Why the service began shutting down.
    enum Trigger: Sendable {
        /// A draining signal (``SignalPolicy``), by name.
        case signal(String)
        /// `/prestop` began termination and no signal followed within the grace period: not a real termination.
        case prestopWithoutSignal
        /// A background task of the lifespan ended before the steps shut down.
        case backgroundTaskEnded(String)
    }

    /// Runs the background tasks as children around ``runPhases(trigger:stopping:)``: one that ends before the steps
    /// shut down sets `trigger`; all are cancelled and awaited once the phases are done.
    private func runLifecycle(trigger: AsyncLatch<Trigger>) async -> Int32 {
        let stopping = AtomicFlag()
        return await withTaskGroup(of: Void.self) { group in
            for task in lifespan.backgroundTasks {
                group.addTask {
                    await task.run()
                    if !stopping.isSet { trigger.set(.backgroundTaskEnded(task.name)) }
                }
            }
            let code = await runPhases(trigger: trigger, stopping: stopping)
            group.cancelAll()
            await group.waitForAll()
            return code
        }
    }

    /// Binds, starts, serves until `trigger` is set, then shuts down; returns the exit code.
    private func runPhases(trigger: AsyncLatch<Trigger>, stopping: AtomicFlag) async -> Int32 {
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
            _ = await trigger.value
            startupOutcome.set(nil)
        }
        let startedSteps = await startupOutcome.value
        guard let startedSteps, startedSteps == lifespan.steps.count else {
            startup.cancel()
            let completed = await startup.value
            logger.error("startup did not complete; shutting down", ["event": "startup.aborted"])
            stopping.set()
            await shutdownSteps(count: completed)
            guard startedSteps == nil, case .signal = await trigger.value else { return 1 }
            return 0
        }
        health.markStarted()
        logger.notice("ready", ["event": "startup.ready", "startup_ms": .milliseconds(MonotonicInstant.now().duration(since: processStart))])

        switch await trigger.value {
        case .signal(let name):
            return await shutdown(after: name, stopping: stopping)
        case .prestopWithoutSignal:
            logger.critical("/prestop was not followed by SIGTERM within the grace period: shutting down so the kubelet restarts the container", [
                "event": "shutdown.prestop_orphaned", "grace_period_s": .double(timing.terminationGracePeriod.seconds),
            ])
            return await shutdown(after: "prestop without SIGTERM", unclean: true, stopping: stopping)
        case .backgroundTaskEnded(let name):
            logger.critical("a background task ended while the service was running: shutting down", [
                "event": "shutdown.background_task_ended", "task": .string(name),
            ])
            return await shutdown(after: "background task '\(name)' ended", unclean: true, stopping: stopping)
        }
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

    /// Drains and stops; returns 1 if anything had to be forced or the shutdown is `unclean` from the start, else 0.
    private func shutdown(after trigger: String, unclean: Bool = false, stopping: AtomicFlag) async -> Int32 {
        var forced = unclean
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

        stopping.set()
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
