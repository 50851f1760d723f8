import IO
import Synchronization

/// The checks behind `/livez` and `/readyz`, and the process facts both depend on.
///
/// Liveness answers "should the kubelet restart this process?": only checks of the process itself
/// (event-loop heartbeats, a wedged pool), never a dependency. Readiness answers "should traffic come
/// here?": red until startup finished, red from the first moment of termination, red while a
/// dependency check fails.
public final class HealthRegistry: Sendable {
    private struct Checks {
        var liveness: [(name: String, check: @Sendable () async -> HealthCheckResult)] = []
        var readiness: [CachedHealthCheck] = []
    }

    private let checks = Mutex(Checks())
    private let started = Atomic<Bool>(false)
    private let terminating = Atomic<Bool>(false)
    private let interval: Duration
    private let timeout: Duration

    /// Creates a registry whose readiness checks run at most every `checkInterval` and time out after `checkTimeout`.
    public init(checkInterval: Duration, checkTimeout: Duration) {
        interval = checkInterval
        timeout = checkTimeout
    }

    /// Adds a liveness check. It must be cheap and must not depend on anything outside the process.
    public func addLivenessCheck(_ name: String, _ check: @escaping @Sendable () async -> HealthCheckResult) {
        checks.withLock { $0.liveness.append((name, check)) }
    }

    /// Adds a readiness check: it passes when `check` returns within the check timeout without throwing.
    public func addReadinessCheck(_ name: String, _ check: @escaping @Sendable () async throws -> Void) {
        let cached = CachedHealthCheck(name: name, interval: interval, timeout: timeout, check: check)
        checks.withLock { $0.readiness.append(cached) }
    }

    /// Startup finished: readiness may turn green.
    public func markStarted() {
        started.store(true, ordering: .releasing)
    }

    /// Termination began: readiness is red from now on.
    public func markTerminating() {
        terminating.store(true, ordering: .releasing)
    }

    /// Whether startup finished.
    public var isStarted: Bool { started.load(ordering: .acquiring) }
    /// Whether termination began.
    public var isTerminating: Bool { terminating.load(ordering: .acquiring) }

    /// The names of the liveness checks.
    public var livenessCheckNames: [String] { checks.withLock { $0.liveness.map(\.name) } }
    /// The names of the readiness checks, built-in ones first.
    public var readinessCheckNames: [String] { ["startup", "shutdown"] + checks.withLock { $0.readiness.map(\.name) } }

    /// Runs the liveness checks except `excluded`; nil if `only` names no check.
    public func liveness(only: String? = nil, excluding excluded: Set<String> = []) async -> [NamedHealthResult]? {
        let all = checks.withLock { $0.liveness }
        if let only, !all.contains(where: { $0.name == only }) { return only.isEmpty ? [] : nil }
        var results: [NamedHealthResult] = []
        results.reserveCapacity(all.count)
        for entry in all where (only == nil || entry.name == only) && !excluded.contains(entry.name) {
            results.append(NamedHealthResult(name: entry.name, result: await entry.check()))
        }
        return results
    }

    /// Runs the readiness checks except `excluded` (concurrently, each cached); nil if `only` names no check.
    public func readiness(only: String? = nil, excluding excluded: Set<String> = []) async -> [NamedHealthResult]? {
        var results: [NamedHealthResult] = []
        let builtIn = [
            NamedHealthResult(name: "startup", result: isStarted ? .healthy : .unhealthy("startup has not finished")),
            NamedHealthResult(name: "shutdown", result: isTerminating ? .unhealthy("the process is shutting down") : .healthy),
        ]
        results = builtIn.filter { (only == nil || $0.name == only) && !excluded.contains($0.name) }
        let selected = checks.withLock { $0.readiness }.filter { (only == nil || $0.name == only) && !excluded.contains($0.name) }
        if let only, results.isEmpty, selected.isEmpty, !excluded.contains(only) { return nil }
        await withTaskGroup(of: (Int, NamedHealthResult).self) { group in
            for (index, check) in selected.enumerated() {
                group.addTask { (index, NamedHealthResult(name: check.name, result: await check.current())) }
            }
            var ordered = [NamedHealthResult?](repeating: nil, count: selected.count)
            for await (index, result) in group { ordered[index] = result }
            results.append(contentsOf: ordered.compactMap { $0 })
        }
        return results
    }
}
