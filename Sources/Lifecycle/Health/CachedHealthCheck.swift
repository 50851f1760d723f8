import IO
import Synchronization

/// A readiness check that runs at most once per interval, with its own timeout, however often it is probed.
///
/// Concurrent probes share one run (single flight), and a probe never waits longer than the timeout,
/// which is shorter than the kubelet's probe timeout, so a slow dependency yields a clear "failed"
/// instead of a probe timeout.
final class CachedHealthCheck: Sendable {
    private struct State {
        var result: HealthCheckResult?
        var checkedAt: MonotonicInstant?
        var inFlight: Task<HealthCheckResult, Never>?
    }

    let name: String
    private let interval: Duration
    private let timeout: Duration
    private let check: @Sendable () async throws -> Void
    private let state = Mutex(State())

    init(name: String, interval: Duration, timeout: Duration, check: @escaping @Sendable () async throws -> Void) {
        self.name = name
        self.interval = interval
        self.timeout = timeout
        self.check = check
    }

    /// The cached result if it is fresh, otherwise the result of a new (or already running) check.
    func current(now: MonotonicInstant = .now()) async -> HealthCheckResult {
        let task = state.withLock { state -> Task<HealthCheckResult, Never> in
            if let result = state.result, let checkedAt = state.checkedAt, checkedAt + interval > now {
                return Task { result }
            }
            if let inFlight = state.inFlight { return inFlight }
            let task = Task { await self.run() }
            state.inFlight = task
            return task
        }
        return await task.value
    }

    private func run() async -> HealthCheckResult {
        let result: HealthCheckResult
        do {
            try await withDeadline(timeout, operation: "\(name) check", check)
            result = .healthy
        } catch {
            result = .unhealthy(String(describing: error))
        }
        let finished = MonotonicInstant.now()
        state.withLock { state in
            state.result = result
            state.checkedAt = finished
            state.inFlight = nil
        }
        return result
    }
}
