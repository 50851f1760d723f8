/// Waits for a condition by checking it repeatedly until a deadline: how tests wait for what offers no callback
/// (another process, a counter in the code under test).
public enum Poll {
    /// Evaluates `condition` every `interval` until it holds; throws ``PollTimeout`` naming `what` if `timeout` passes
    /// first. The condition is evaluated once more at the deadline, so a slow machine never fails it early.
    public static func until(
        _ what: @autoclosure () -> String, timeout: Duration, interval: Duration = .milliseconds(20),
        _ condition: () async throws -> Bool
    ) async throws {
        let deadline = ContinuousClock.now + timeout
        while true {
            let expired = ContinuousClock.now >= deadline
            if try await condition() { return }
            if expired { throw PollTimeout(what: what(), timeout: timeout) }
            try await Task.sleep(for: min(interval, max(deadline - ContinuousClock.now, .zero)))
        }
    }
}

/// A polled condition did not hold in time.
public struct PollTimeout: Error, CustomStringConvertible {
    /// What was waited for.
    public let what: String
    /// How long.
    public let timeout: Duration

    public var description: String { "timed out after \(timeout) waiting for \(what)" }
}
