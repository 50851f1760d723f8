/// The outcome of one health check.
public struct HealthCheckResult: Sendable, Hashable {
    /// Whether the check passed.
    public var isHealthy: Bool
    /// Why it failed; logged and shown on the admin port, withheld on the traffic port.
    public var reason: String?

    /// A passing result.
    public static let healthy = HealthCheckResult(isHealthy: true, reason: nil)

    /// A failing result with its reason.
    public static func unhealthy(_ reason: String) -> HealthCheckResult {
        HealthCheckResult(isHealthy: false, reason: reason)
    }
}

/// One named check's result, as a probe reports it.
public struct NamedHealthResult: Sendable, Hashable {
    /// The check's name, e.g. `database`.
    public var name: String
    /// Its result.
    public var result: HealthCheckResult
}
