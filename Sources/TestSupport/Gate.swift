import Synchronization

/// A latch a test opens to let waiting handlers proceed; waiting honours task cancellation.
///
/// Lets a socket test hold a handler "busy" for exactly as long as it needs, without sleeping.
public final class Gate: Sendable {
    private struct State {
        var isOpen = false
        var nextID = 0
        var waiters: [Int: CheckedContinuation<Void, any Error>] = [:]
    }

    private let state = Mutex(State())
    private let arrivals = Atomic<Int>(0)

    /// Creates a closed gate.
    public init() {}

    /// How many times ``wait()`` has been called (a handler has started).
    public var arrivalCount: Int { arrivals.load(ordering: .acquiring) }

    /// Waits until ``arrivalCount`` is `count` (that many handlers have started); throws ``PollTimeout`` after `timeout`.
    public func waitForArrivals(_ count: Int, timeout: Duration = .seconds(5)) async throws {
        try await Poll.until("\(count) gated handler(s) to start", timeout: timeout, interval: .milliseconds(5)) { arrivalCount == count }
    }

    /// Suspends until ``open()``; throws `CancellationError` if the task is cancelled first.
    public func wait() async throws {
        arrivals.wrappingAdd(1, ordering: .releasing)
        let id = state.withLock { state -> Int in
            defer { state.nextID += 1 }
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let resumeNow = state.withLock { state -> (any Error)?? in
                    if state.isOpen { return .some(nil) }
                    if Task.isCancelled { return .some(CancellationError()) }
                    state.waiters[id] = continuation
                    return .none
                }
                if let outcome = resumeNow {
                    if let error = outcome { continuation.resume(throwing: error) } else { continuation.resume() }
                }
            }
        } onCancel: {
            state.withLock { $0.waiters.removeValue(forKey: id) }?.resume(throwing: CancellationError())
        }
    }

    /// Opens the gate: every waiter resumes, and later waits return at once.
    public func open() {
        let waiters = state.withLock { state in
            state.isOpen = true
            defer { state.waiters.removeAll() }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }
}
