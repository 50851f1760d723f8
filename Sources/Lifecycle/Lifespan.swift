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
public struct Lifespan: Sendable {
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

    /// The longest the shutdown of all steps can take.
    public var shutdownBudget: Duration {
        steps.reduce(.zero) { $0 + $1.shutdownTimeout }
    }
}
