import Synchronization

/// The error thrown when an operation outlives its time limit.
public struct TimeoutError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What timed out.
    public let operation: String
    /// The limit it exceeded.
    public let limit: Duration

    public var description: String { "\(operation) did not finish within \(limit)" }
}

/// Runs `operation`, giving up after `limit`.
///
/// Unlike a task group, this returns at the deadline even if the operation ignores cancellation:
/// the operation is cancelled and left to finish on its own. Startup steps, shutdown hooks and
/// health checks use it so that no single step can hang the process.
public func withDeadline<T: Sendable>(
    _ limit: Duration, operation name: String, _ operation: @escaping @Sendable () async throws -> T
) async throws -> T {
    let outcome = OneShot<T>()
    let work = Task<Void, Never> {
        let result: Result<T, any Error>
        do { result = .success(try await operation()) } catch { result = .failure(error) }
        outcome.resume(with: result)
    }
    let timer = Task<Void, Never> {
        try? await Task.sleep(for: limit)
        guard !Task.isCancelled else { return }
        outcome.resume(with: .failure(TimeoutError(operation: name, limit: limit)))
        work.cancel()
    }
    defer { timer.cancel() }
    return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { continuation in
            outcome.set(continuation)
        }
    } onCancel: {
        work.cancel()
    }
}

/// A continuation resumed by whichever of several racers comes first, even if it comes before the continuation exists.
private final class OneShot<T: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<T, any Error>?
        var early: Result<T, any Error>?
        var done = false
    }

    private let state = Mutex(State())

    func set(_ continuation: CheckedContinuation<T, any Error>) {
        let early = state.withLock { state -> Result<T, any Error>? in
            if let early = state.early { return early }
            state.continuation = continuation
            return nil
        }
        if let early { continuation.resume(with: early) }
    }

    func resume(with result: Result<T, any Error>) {
        let continuation = state.withLock { state -> CheckedContinuation<T, any Error>? in
            guard !state.done else { return nil }
            state.done = true
            guard let continuation = state.continuation else {
                state.early = result
                return nil
            }
            state.continuation = nil
            return continuation
        }
        continuation?.resume(with: result)
    }
}
