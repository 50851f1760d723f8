import IO
import Testing

@testable import Postgres

/// The pool's decisions with explicit instants: no sockets, no sleeps.
@Suite struct PoolStateMachineTests {
    typealias Machine = PoolStateMachine<String>

    static func at(_ seconds: Double) -> MonotonicInstant {
        MonotonicInstant(nanoseconds: UInt64(1_000_000_000 + seconds * 1_000_000_000))
    }

    static func machine(
        minimum: Int = 0,
        maximum: Int = 2,
        acquireTimeout: Duration = .seconds(2),
        idleTimeout: Duration = .seconds(60),
        lifetime: Duration = .seconds(600)
    ) -> Machine {
        Machine(
            configuration: PostgresPoolConfiguration(
                minimumConnections: minimum,
                maximumConnections: maximum,
                acquireTimeout: acquireTimeout,
                idleTimeout: idleTimeout,
                maximumLifetime: lifetime,
                lifetimeJitter: 0.1,
                socketCheckAfterIdle: .seconds(1),
                roundTripCheckAfterIdle: .seconds(30),
                reconnectBackoff: .milliseconds(100),
                maximumReconnectBackoff: .seconds(5)
            ),
            seed: 42
        )
    }

    @Test func startOpensTheMinimumAndGrowsLazily() {
        var pool = Self.machine(minimum: 1, maximum: 3)
        #expect(pool.start(now: Self.at(0)).createConnections == [0])
        _ = pool.connectionEstablished(0, "c0", now: Self.at(0.1))
        #expect(pool.statistics.idle == 1)

        let first = pool.acquire(1, now: Self.at(0.2))
        #expect(first.lease?.connection == "c0")
        #expect(first.lease?.check == Machine.Check.none)
        #expect(first.createConnections.isEmpty)

        let second = pool.acquire(2, now: Self.at(0.3))
        #expect(second.lease == nil)
        #expect(second.createConnections == [1])
        #expect(pool.statistics.waiters == 1)
        #expect(pool.statistics.connecting == 1)

        let established = pool.connectionEstablished(1, "c1", now: Self.at(0.5))
        #expect(established.lease?.request == 2)
        #expect(established.lease?.connection == "c1")
        #expect(pool.statistics.inUse == 2)
        #expect(pool.statistics.acquiredTotal == 2)
        #expect(pool.statistics.acquireWaitTotal == .milliseconds(200))
    }

    @Test func waitersAreServedFirstInFirstOutAndNeverAboveMaximum() {
        var pool = Self.machine(maximum: 1)
        #expect(pool.acquire(1, now: Self.at(0)).createConnections == [0])
        _ = pool.connectionEstablished(0, "c0", now: Self.at(0))
        #expect(pool.acquire(2, now: Self.at(0.1)).createConnections.isEmpty)
        #expect(pool.acquire(3, now: Self.at(0.2)).createConnections.isEmpty)
        #expect(pool.release(0, reusable: true, lastQuery: nil, now: Self.at(0.3)).lease?.request == 2)
        #expect(pool.release(0, reusable: true, lastQuery: nil, now: Self.at(0.4)).lease?.request == 3)
        let last = pool.release(0, reusable: true, lastQuery: Self.at(0.45), now: Self.at(0.5))
        #expect(last.lease == nil)
        #expect(pool.statistics.idle == 1)
        #expect(pool.statistics.lastSuccessfulLease == Self.at(0.5))
        #expect(pool.statistics.lastSuccessfulQuery == Self.at(0.45))
    }

    @Test func acquireTimesOutAtItsDeadline() {
        var pool = Self.machine(maximum: 1, acquireTimeout: .seconds(2))
        _ = pool.acquire(1, now: Self.at(0))
        _ = pool.connectionEstablished(0, "c0", now: Self.at(0))
        _ = pool.acquire(2, now: Self.at(1))
        // The timer set for the first (since served) waiter fires early and re-arms for the second.
        let early = pool.tick(now: Self.at(2.9))
        #expect(early.failures.isEmpty)
        #expect(early.scheduleTimer == Self.at(3))
        let expired = pool.tick(now: Self.at(3))
        #expect(expired.failures.map(\.request) == [2])
        #expect(expired.failures.map(\.failure) == [.acquireTimeout])
        #expect(pool.statistics.waiters == 0)
        #expect(pool.statistics.acquireTimeouts == 1)
    }

    @Test func cancelledWaiterLeavesTheQueue() {
        var pool = Self.machine(maximum: 1)
        _ = pool.acquire(1, now: Self.at(0))
        _ = pool.connectionEstablished(0, "c0", now: Self.at(0))
        _ = pool.acquire(2, now: Self.at(0))
        #expect(pool.cancel(2, now: Self.at(0.5)).failures.map(\.failure) == [.cancelled])
        #expect(pool.cancel(2, now: Self.at(0.5)).failures.isEmpty)
        #expect(pool.release(0, reusable: true, lastQuery: nil, now: Self.at(1)).lease == nil)
    }

    @Test func brokenConnectionsAreDiscardedAndReplacedForWaiters() {
        var pool = Self.machine(maximum: 1)
        _ = pool.acquire(1, now: Self.at(0))
        _ = pool.connectionEstablished(0, "c0", now: Self.at(0))
        _ = pool.acquire(2, now: Self.at(0.1))
        let released = pool.release(0, reusable: false, lastQuery: nil, now: Self.at(0.2))
        #expect(released.closeConnections == ["c0"])
        #expect(released.createConnections == [1])
        #expect(released.lease == nil)
        #expect(pool.statistics.discardedTotal == 1)
        #expect(pool.connectionEstablished(1, "c1", now: Self.at(0.3)).lease?.request == 2)
    }

    @Test func idleConnectionsAreCheckedBeforeReuse() {
        var pool = Self.machine(maximum: 1)
        _ = pool.acquire(1, now: Self.at(0))
        _ = pool.connectionEstablished(0, "c0", now: Self.at(0))
        _ = pool.release(0, reusable: true, lastQuery: nil, now: Self.at(0))
        #expect(pool.acquire(2, now: Self.at(0.5)).lease?.check == Machine.Check.none)
        _ = pool.release(0, reusable: true, lastQuery: nil, now: Self.at(1))
        #expect(pool.acquire(3, now: Self.at(5)).lease?.check == .socket)
        _ = pool.release(0, reusable: true, lastQuery: nil, now: Self.at(5))
        #expect(pool.acquire(4, now: Self.at(40)).lease?.check == .roundTrip)
    }

    @Test func surplusIdleConnectionsCloseAfterIdleTimeoutButTheMinimumStays() {
        var pool = Self.machine(minimum: 1, maximum: 2, idleTimeout: .seconds(60))
        _ = pool.start(now: Self.at(0))
        _ = pool.connectionEstablished(0, "c0", now: Self.at(0))
        _ = pool.acquire(1, now: Self.at(1))
        _ = pool.acquire(2, now: Self.at(1))
        _ = pool.connectionEstablished(1, "c1", now: Self.at(1))
        _ = pool.release(0, reusable: true, lastQuery: nil, now: Self.at(2))
        _ = pool.release(1, reusable: true, lastQuery: nil, now: Self.at(3))
        #expect(pool.tick(now: Self.at(3)).scheduleTimer == Self.at(62))
        let tick = pool.tick(now: Self.at(62))
        #expect(tick.closeConnections == ["c0"])
        #expect(pool.statistics.open == 1)
        #expect(pool.tick(now: Self.at(500)).closeConnections.isEmpty)
    }

    @Test func connectionsExpireWithJitteredLifetime() throws {
        var pool = Self.machine(maximum: 1, idleTimeout: .seconds(1000), lifetime: .seconds(100))
        _ = pool.acquire(1, now: Self.at(0))
        _ = pool.connectionEstablished(0, "c0", now: Self.at(0))
        _ = pool.release(0, reusable: true, lastQuery: nil, now: Self.at(1))
        // The acquire timer (at 2 s) fires and re-arms for the lifetime: 100 s minus up to 10 %.
        let expiry = try #require(pool.tick(now: Self.at(2)).scheduleTimer)
        #expect(expiry >= Self.at(90) && expiry <= Self.at(100))
        #expect(pool.tick(now: expiry).closeConnections == ["c0"])

        // A leased connection past its lifetime is closed when it comes back.
        _ = pool.acquire(2, now: Self.at(101))
        _ = pool.connectionEstablished(1, "c1", now: Self.at(101))
        #expect(pool.release(1, reusable: true, lastQuery: nil, now: Self.at(300)).closeConnections == ["c1"])
    }

    @Test func failedConnectsBackOffExponentiallyWithJitter() throws {
        var pool = Self.machine(maximum: 3)
        let first = pool.acquire(1, now: Self.at(0))
        #expect(first.createConnections == [0])
        let failed = pool.connectionFailed(0, now: Self.at(0))
        let retry1 = try #require(failed.scheduleTimer)
        #expect(retry1 >= Self.at(0.05) && retry1 <= Self.at(0.1))
        // More demand does not connect during the backoff.
        #expect(pool.acquire(2, now: Self.at(0.01)).createConnections.isEmpty)
        // One probe at a time while failing.
        #expect(pool.tick(now: retry1).createConnections.count == 1)
        let failedAgain = pool.connectionFailed(1, now: retry1)
        let retry2 = try #require(failedAgain.scheduleTimer)
        #expect(retry2 >= retry1 + .milliseconds(100) && retry2 <= retry1 + .milliseconds(200))
        #expect(pool.statistics.connectFailures == 2)
        #expect(pool.statistics.consecutiveConnectFailures == 2)
        // Success resets the backoff and serves both waiters.
        _ = pool.tick(now: retry2)
        let success = pool.connectionEstablished(2, "c2", now: retry2)
        #expect(success.lease?.request == 1)
        #expect(success.createConnections == [3])
        #expect(pool.statistics.consecutiveConnectFailures == 0)
    }

    @Test func backoffIsCapped() throws {
        var pool = Self.machine(maximum: 1, acquireTimeout: .seconds(1000))
        _ = pool.acquire(1, now: Self.at(0))
        var now = Self.at(0)
        var connection = 0
        for _ in 0..<20 {
            let failed = pool.connectionFailed(connection, now: now)
            now = failed.scheduleTimer ?? now
            connection += 1
            _ = pool.tick(now: now)
            _ = pool.acquire(100 + connection, now: now)
        }
        let last = pool.connectionFailed(connection, now: now)
        #expect(try #require(last.scheduleTimer) <= now + .seconds(5))
    }

    @Test func shutdownFailsWaitersClosesIdleAndWaitsForLeases() {
        var pool = Self.machine(maximum: 2)
        _ = pool.acquire(1, now: Self.at(0))
        _ = pool.acquire(2, now: Self.at(0))
        _ = pool.connectionEstablished(0, "c0", now: Self.at(0))
        _ = pool.connectionEstablished(1, "c1", now: Self.at(0))
        _ = pool.release(1, reusable: true, lastQuery: nil, now: Self.at(1))
        _ = pool.acquire(3, now: Self.at(1))
        _ = pool.acquire(4, now: Self.at(1))
        let shutdown = pool.shutdown(deadline: Self.at(11), now: Self.at(2))
        #expect(shutdown.failures.map(\.request) == [4])
        #expect(shutdown.failures.map(\.failure) == [.closed])
        #expect(shutdown.closeConnections.isEmpty)
        #expect(!shutdown.isShutdownComplete)
        #expect(pool.acquire(5, now: Self.at(3)).failures.map(\.failure) == [.closed])
        _ = pool.release(0, reusable: true, lastQuery: nil, now: Self.at(4))
        let done = pool.release(1, reusable: true, lastQuery: nil, now: Self.at(5))
        #expect(done.closeConnections == ["c1"])
        #expect(done.isShutdownComplete)
    }

    @Test func shutdownPastItsDeadlineAbortsLeasedConnections() {
        var pool = Self.machine(maximum: 1)
        _ = pool.acquire(1, now: Self.at(0))
        _ = pool.connectionEstablished(0, "c0", now: Self.at(0))
        _ = pool.shutdown(deadline: Self.at(5), now: Self.at(1))
        #expect(pool.tick(now: Self.at(2)).scheduleTimer == Self.at(5))
        let forced = pool.tick(now: Self.at(5))
        #expect(forced.abortConnections == ["c0"])
        #expect(forced.isShutdownComplete)
        #expect(pool.release(0, reusable: false, lastQuery: nil, now: Self.at(6)).closeConnections == ["c0"])
    }

    @Test func connectionsEstablishedDuringShutdownAreClosed() {
        var pool = Self.machine(maximum: 1)
        _ = pool.acquire(1, now: Self.at(0))
        _ = pool.shutdown(deadline: Self.at(5), now: Self.at(0))
        let late = pool.connectionEstablished(0, "c0", now: Self.at(1))
        #expect(late.closeConnections == ["c0"])
        #expect(late.isShutdownComplete)
    }
}
