import IO
import Testing

@testable import Postgres

/// When a failed statement runs again: decided by the pool's state machine, without a database.
@Suite struct RetryPolicyTests {
    typealias Machine = PoolStateMachine<String>

    static let broken = RetryPolicy.Failure(connectionBroke: true, statementSent: true)
    static let brokenBeforeSending = RetryPolicy.Failure(connectionBroke: true, statementSent: false)
    static let statementFailed = RetryPolicy.Failure(connectionBroke: false, statementSent: true)

    static func running() -> Machine {
        var machine = Machine(configuration: PostgresPoolConfiguration(maximumConnections: 2), seed: 7)
        _ = machine.start(now: PoolStateMachineTests.at(0))
        return machine
    }

    /// The decision, outside `#expect` (whose expansion cannot mutate).
    static func decide(_ machine: inout Machine, _ failure: RetryPolicy.Failure, idempotent: Bool, retriesSoFar: Int) -> Bool {
        machine.shouldRetry(failure, idempotent: idempotent, retriesSoFar: retriesSoFar)
    }

    @Test func aStatementThatNeverReachedTheServerIsRetriedOnceWhateverItDoes() {
        var machine = Self.running()
        #expect(Self.decide(&machine, Self.brokenBeforeSending, idempotent: false, retriesSoFar: 0))
        #expect(!Self.decide(&machine, Self.brokenBeforeSending, idempotent: false, retriesSoFar: 1))
        #expect(machine.statistics.retriesTotal == 1)
    }

    @Test func aStatementThatMayHaveRunIsRetriedOnlyWhenMarkedIdempotent() {
        var machine = Self.running()
        #expect(!Self.decide(&machine, Self.broken, idempotent: false, retriesSoFar: 0))
        #expect(Self.decide(&machine, Self.broken, idempotent: true, retriesSoFar: 0))
        #expect(!Self.decide(&machine, Self.broken, idempotent: true, retriesSoFar: 1))
        #expect(machine.statistics.retriesTotal == 1)
    }

    @Test func errorsOfTheStatementItselfAreNeverRetried() {
        var machine = Self.running()
        for sent in [true, false] {
            let failure = RetryPolicy.Failure(connectionBroke: false, statementSent: sent)
            #expect(!Self.decide(&machine, failure, idempotent: true, retriesSoFar: 0))
        }
        #expect(machine.statistics.retriesTotal == 0)
    }

    @Test func errorsAreClassifiedByCodeAndStage() {
        let lost = PostgresError(.connectionLost, summary: "connection lost while reading")
        #expect(RetryPolicy.Failure(lost) == Self.broken)
        #expect(RetryPolicy.Failure(lost.unsent()) == Self.brokenBeforeSending)
        // A statement timeout, a constraint violation, a cancel, a client deadline or a full pool: not a broken session.
        for code in [PostgresError.Code.statementTimeout, .uniqueViolation, .syntaxError, .canceled, .timeout, .poolAcquireTimeout] {
            #expect(!RetryPolicy.Failure(PostgresError(code)).connectionBroke, "\(code)")
        }
        #expect(!RetryPolicy.Failure(CancellationError()).connectionBroke)
        // The server ending the session (pg_terminate_backend, a fast shutdown) is a broken connection.
        #expect(PostgresError.code(forSQLState: "57P01") == .connectionLost)
    }

    @Test func aPoolThatIsShuttingDownRetriesNothing() {
        var machine = Self.running()
        _ = machine.shutdown(deadline: PoolStateMachineTests.at(5), now: PoolStateMachineTests.at(1))
        #expect(!Self.decide(&machine, Self.brokenBeforeSending, idempotent: true, retriesSoFar: 0))
        #expect(machine.statistics.retriesTotal == 0)
    }

    @Test func thePolicySetsHowManyRetries() {
        let none = RetryPolicy(maximumRetries: 0)
        #expect(!none.shouldRetry(Self.brokenBeforeSending, idempotent: true, retriesSoFar: 0))
        let two = RetryPolicy(maximumRetries: 2)
        #expect(two.shouldRetry(Self.broken, idempotent: true, retriesSoFar: 1))
        #expect(!two.shouldRetry(Self.broken, idempotent: true, retriesSoFar: 2))
    }

    @Test func anIdleConnectionIsCheckedByDefaultHoweverBrieflyItSatIdle() {
        var machine = Self.running()
        _ = machine.connectionEstablished(0, "c0", now: PoolStateMachineTests.at(0.1))
        // Handed out the same instant it was parked: a backend ended meanwhile must still be noticed before use.
        let lease = machine.acquire(1, now: PoolStateMachineTests.at(0.1)).lease
        #expect(lease?.check == .socket)
    }
}
