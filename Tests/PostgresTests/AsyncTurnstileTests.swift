import TestSupport
import Testing

@testable import Postgres

/// One task at a time, in arrival order; a waiter that is cancelled leaves the queue.
@Suite struct AsyncTurnstileTests {
    @Test func tasksPassOneAtATimeInArrivalOrder() async throws {
        let turnstile = AsyncTurnstile()
        let order = Recorder<String>()
        let gate = Gate()
        let first = Task {
            try await turnstile.pass {
                order.append("first in")
                try await gate.wait()
                order.append("first out")
            }
        }
        try await Poll.until("the first inside", timeout: .seconds(5)) { order.values == ["first in"] }
        let second = Task { try await turnstile.pass { order.append("second in") } }
        try await Poll.until("the second waiting", timeout: .seconds(5)) { turnstile.waitingCount == 1 }
        let third = Task { try await turnstile.pass { order.append("third in") } }
        try await Poll.until("the third waiting", timeout: .seconds(5)) { turnstile.waitingCount == 2 }
        #expect(order.values == ["first in"])
        gate.open()
        try await first.value
        try await second.value
        try await third.value
        #expect(order.values == ["first in", "first out", "second in", "third in"])
    }

    @Test func aCancelledWaiterLeavesTheQueueAndTheNextOneStillPasses() async throws {
        let turnstile = AsyncTurnstile()
        let gate = Gate()
        let holder = Task { try await turnstile.pass { try await gate.wait() } }
        try await gate.waitForArrivals(1)
        let cancelled = Task { try await turnstile.pass { Issue.record("a cancelled waiter ran") } }
        try await Poll.until("the waiter queued", timeout: .seconds(5)) { turnstile.waitingCount == 1 }
        cancelled.cancel()
        await #expect(throws: CancellationError.self) { try await cancelled.value }
        #expect(turnstile.waitingCount == 0)
        gate.open()
        try await holder.value
        try await turnstile.pass {}
    }
}
