/// Startup and shutdown work of an application, like FastAPI's lifespan.
///
/// ```swift
/// var lifespan = Lifespan()
/// lifespan.add("cache", startupTimeout: .seconds(10)) {
///     try await cache.warm()
/// } shutdown: {
///     await cache.flush()
/// }
/// ```
/// Steps start in the order added, before readiness turns green; they shut down in reverse order,
/// after the HTTP drain, and only if they started. Every step has a time limit.
///
/// Work that runs for the service's whole life (a pool's connection loop) is a background task instead: a child of
/// the runner, started before the first step. Its end is expected only once the steps shut down; ending earlier
/// shuts the service down with exit 1, logged, so a dead loop is never left behind a green probe.
public struct Lifespan: Sendable {
    /// Work that runs for the service's whole life.
    public struct BackgroundTask: Sendable {
        /// The name used in logs.
        public let name: String
        let run: @Sendable () async -> Void
    }

    /// One step.
    public struct Step: Sendable {
        /// The name used in logs.
        public let name: String
        let startupTimeout: Duration
        let shutdownTimeout: Duration
        let startup: @Sendable () async throws -> Void
        let shutdown: @Sendable () async throws -> Void
    }

    /// The steps in startup order.
    public private(set) var steps: [Step] = []
    /// The background tasks.
    public private(set) var backgroundTasks: [BackgroundTask] = []

    /// Creates an empty lifespan.
    public init() {}

    /// Adds a step with its startup work, its shutdown work, and the time each may take.
    public mutating func add(
        _ name: String, startupTimeout: Duration = .seconds(30), shutdownTimeout: Duration = .seconds(5),
        startup: @escaping @Sendable () async throws -> Void, shutdown: @escaping @Sendable () async throws -> Void = {}
    ) {
        steps.append(
            Step(name: name, startupTimeout: startupTimeout, shutdownTimeout: shutdownTimeout, startup: startup, shutdown: shutdown)
        )
    }

    /// Adds work that runs from before the first startup step until the steps have shut down (which must end it,
    /// as closing a pool ends its loop).
    public mutating func addBackgroundTask(_ name: String, run: @escaping @Sendable () async -> Void) {
        backgroundTasks.append(BackgroundTask(name: name, run: run))
    }

    /// The longest the shutdown of all steps can take.
    public var shutdownBudget: Duration {
        steps.reduce(.zero) { $0 + $1.shutdownTimeout }
    }
}
