import Synchronization

/// Lets one task through at a time, in arrival order; a task cancelled while it waits leaves the queue and throws
/// `CancellationError`.
final class AsyncTurnstile: Sendable {
    private struct State {
        var occupied = false
        var nextTicket = 0
        /// Waiters by ticket: the lowest ticket goes next.
        var waiters: [Int: CheckedContinuation<Void, any Error>] = [:]
    }

    private enum Admission { case enter, wait, cancelled }

    private let state = Mutex(State())

    /// Tasks waiting for their turn.
    var waitingCount: Int { state.withLock { $0.waiters.count } }

    /// Runs `body` once every task that arrived earlier has finished its own.
    func pass<Result>(_ body: () async throws -> Result) async throws -> Result {
        try await enter()
        defer { leave() }
        return try await body()
    }

    private func enter() async throws {
        let ticket = state.withLock { state -> Int? in
            guard state.occupied else {
                state.occupied = true
                return nil
            }
            defer { state.nextTicket += 1 }
            return state.nextTicket
        }
        guard let ticket else { return }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let admission = state.withLock { state -> Admission in
                    // The cancellation handler may have run already and found nothing to withdraw.
                    if Task.isCancelled { return .cancelled }
                    // The holder may have left since the ticket was drawn, finding no waiter to wake.
                    guard state.occupied else {
                        state.occupied = true
                        return .enter
                    }
                    state.waiters[ticket] = continuation
                    return .wait
                }
                switch admission {
                case .enter: continuation.resume()
                case .wait: break
                case .cancelled: continuation.resume(throwing: CancellationError())
                }
            }
        } onCancel: {
            state.withLock { $0.waiters.removeValue(forKey: ticket) }?.resume(throwing: CancellationError())
        }
    }

    private func leave() {
        let next = state.withLock { state -> CheckedContinuation<Void, any Error>? in
            guard let ticket = state.waiters.keys.min() else {
                state.occupied = false
                return nil
            }
            return state.waiters.removeValue(forKey: ticket)
        }
        next?.resume()
    }
}
