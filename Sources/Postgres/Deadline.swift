/// Runs `operation`, cancelling it and throwing ``PostgresError/Code/timeout`` if it takes longer than `timeout`.
///
/// The operation must react to cancellation (every wait on a ``FileDescriptorWatcher`` does).
func withDeadline<Result: Sendable>(
    _ timeout: Duration,
    _ operation: @escaping @Sendable () async throws -> Result
) async throws -> Result {
    try await withThrowingTaskGroup(of: Result?.self) { group in
        group.addTask { try await operation() }
        group.addTask {
            try await Task.sleep(for: timeout)
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let result = first else {
            throw PostgresError(.timeout, summary: "gave up after \(timeout)")
        }
        return result
    }
}
