public import HTTPServer
public import IO
public import Observability
import Synchronization

/// The first moments of termination, shared by `/prestop` and the signal path.
///
/// Beginning termination turns readiness red, makes every response close its connection, and
/// starts the shutdown delay once; both triggers then wait for the same deadline.
public final class DrainController: Sendable {
    private let delay: Mutex<ShutdownDelay>
    private let health: HealthRegistry
    private let trafficServer: HTTPServer
    private let logger: Logger
    private let prestopContinuation: AsyncStream<MonotonicInstant>.Continuation

    /// When `/prestop` began termination; yields at most once, then ends. The runner expects SIGTERM to follow.
    public let prestopBegan: AsyncStream<MonotonicInstant>

    /// Creates a controller for `trafficServer` with a delay of `shutdownDelay`.
    public init(shutdownDelay: Duration, health: HealthRegistry, trafficServer: HTTPServer, logger: Logger) {
        delay = Mutex(ShutdownDelay(duration: shutdownDelay))
        self.health = health
        self.trafficServer = trafficServer
        self.logger = logger
        (prestopBegan, prestopContinuation) = AsyncStream.makeStream()
    }

    /// Turns readiness red and starts the shutdown delay unless already started; returns the delay's end.
    @discardableResult
    public func beginTermination(trigger: String) -> MonotonicInstant {
        begin(trigger: trigger).deadline
    }

    /// The `/prestop` hook: begins termination and returns when the delay has passed. Idempotent.
    public func prestop() async {
        let (deadline, first, began) = begin(trigger: "prestop")
        if first {
            prestopContinuation.yield(began)
            prestopContinuation.finish()
        }
        await sleep(until: deadline)
    }

    /// Waits for the end of the delay, starting it if needed.
    public func waitForDelay(trigger: String) async {
        await sleep(until: beginTermination(trigger: trigger))
    }

    private func begin(trigger: String) -> (deadline: MonotonicInstant, first: Bool, now: MonotonicInstant) {
        let now = MonotonicInstant.now()
        let (deadline, first) = delay.withLock { delay -> (MonotonicInstant, Bool) in
            let first = delay.deadline == nil
            return (delay.begin(now: now), first)
        }
        if first {
            health.markTerminating()
            trafficServer.closeKeepAliveConnections()
            let delaySeconds = deadline.duration(since: now).seconds
            logger.notice("termination began: readiness is red, serving through the shutdown delay", [
                "event": "shutdown.initiated", "trigger": .string(trigger), "shutdown_delay_s": .double(delaySeconds),
            ])
        }
        return (deadline, first, now)
    }

    private func sleep(until deadline: MonotonicInstant) async {
        let remaining = deadline.duration(since: .now())
        if remaining > .zero { try? await Task.sleep(for: remaining) }
    }
}
