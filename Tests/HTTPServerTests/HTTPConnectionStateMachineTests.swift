import HTTPServer
import IO
import Testing

/// The connection state machine driven with explicit instants: no sockets, no clocks, no sleeps.
@Suite("HTTPConnectionStateMachine")
struct HTTPConnectionStateMachineTests {
    static let timeouts = HTTPConnectionStateMachine.Timeouts(
        header: .seconds(10), body: .seconds(30), idle: .seconds(75), write: .seconds(20), handler: .seconds(5), linger: .seconds(2)
    )

    /// Holds the machine and names instants as offsets from the connection's accept time.
    ///
    /// A class, so that mutating calls can sit inside `#expect`.
    final class Driver {
        static let origin = MonotonicInstant(nanoseconds: 1_000_000_000_000)
        var machine = HTTPConnectionStateMachine(timeouts: HTTPConnectionStateMachineTests.timeouts, now: origin)

        static func at(_ offset: Duration) -> MonotonicInstant { origin + offset }
        /// One nanosecond before `offset`.
        static func before(_ offset: Duration) -> MonotonicInstant { MonotonicInstant(nanoseconds: at(offset).nanoseconds - 1) }

        var state: HTTPConnectionStateMachine.State { machine.state }
        var loopOwnsSocket: Bool { machine.loopOwnsSocket }
        func bytesReceived(_ offset: Duration) { machine.bytesReceived(now: Self.at(offset)) }
        func headReceived(_ offset: Duration) { machine.headReceived(now: Self.at(offset)) }
        func requestReceived(_ offset: Duration) { machine.requestReceived(now: Self.at(offset)) }
        func responseStarted() -> Bool { machine.responseStarted() }
        func writeBlocked(_ offset: Duration, closeAfter: Bool) { machine.writeBlocked(now: Self.at(offset), closeAfter: closeAfter) }
        func responseWritten(_ offset: Duration, closeAfter: Bool) { machine.responseWritten(now: Self.at(offset), closeAfter: closeAfter) }
        func quiesce() -> HTTPConnectionStateMachine.Action { machine.quiesce() }
        func terminate() -> HTTPConnectionStateMachine.Action { machine.terminate() }
        func tick(_ now: MonotonicInstant) -> HTTPConnectionStateMachine.Action { machine.tick(now: now) }

        /// Serves one whole keep-alive exchange that arrives at `received` and is written at `written`.
        func serveOne(received: Duration, written: Duration) {
            bytesReceived(received)
            requestReceived(received)
            #expect(responseStarted())
            responseWritten(written, closeAfter: false)
            #expect(state == .idle(since: Self.at(written)))
        }
    }

    typealias D = Driver

    @Test func newConnectionIsIdleAndOwnedByTheLoop() {
        let connection = Driver()
        #expect(connection.state == .idle(since: D.origin))
        #expect(connection.loopOwnsSocket)
        #expect(connection.machine.requestsServed == 0)
        #expect(!connection.machine.isQuiescing)
    }

    @Test func silentNewConnectionIsClosedAfterTheHeaderTimeoutNotTheIdleTimeout() {
        let connection = Driver()
        #expect(connection.tick(D.before(.seconds(10))) == .none)
        #expect(connection.tick(D.at(.seconds(10))) == .close)
        #expect(connection.state == .closed)
    }

    @Test func headerTimeoutAnswers408() {
        let connection = Driver()
        connection.bytesReceived(.seconds(1))
        #expect(connection.state == .readingHead(started: D.at(.seconds(1))))
        // More bytes do not restart the clock: a client dribbling its head gets no extra time.
        connection.bytesReceived(.seconds(9))
        #expect(connection.tick(D.before(.seconds(11))) == .none)
        #expect(connection.tick(D.at(.seconds(11))) == .respondAndClose(.requestTimeout))
        #expect(connection.state == .closed)
        #expect(connection.tick(D.at(.seconds(12))) == .none)
    }

    @Test func bodyTimeoutAnswers408() {
        let connection = Driver()
        connection.bytesReceived(.seconds(1))
        connection.headReceived(.seconds(2))
        #expect(connection.state == .readingBody(started: D.at(.seconds(2))))
        // The header timeout no longer applies once the head is in.
        #expect(connection.tick(D.at(.seconds(20))) == .none)
        #expect(connection.tick(D.before(.seconds(32))) == .none)
        #expect(connection.tick(D.at(.seconds(32))) == .respondAndClose(.requestTimeout))
        #expect(connection.state == .closed)
    }

    @Test func idleKeepAliveUsesTheIdleTimeoutAfterTheFirstRequest() {
        let connection = Driver()
        connection.serveOne(received: .seconds(1), written: .seconds(2))
        #expect(connection.machine.requestsServed == 1)
        #expect(connection.tick(D.at(.seconds(12))) == .none)
        #expect(connection.tick(D.before(.seconds(77))) == .none)
        #expect(connection.tick(D.at(.seconds(77))) == .close)
    }

    @Test func nextRequestOnKeepAliveGetsAFreshHeaderTimeout() {
        let connection = Driver()
        connection.serveOne(received: .seconds(1), written: .seconds(2))
        connection.bytesReceived(.seconds(50))
        #expect(connection.tick(D.before(.seconds(60))) == .none)
        #expect(connection.tick(D.at(.seconds(60))) == .respondAndClose(.requestTimeout))
    }

    @Test func handlerDeadlineCancelsTheHandler() {
        let connection = Driver()
        connection.bytesReceived(.seconds(1))
        connection.requestReceived(.seconds(2))
        #expect(connection.state == .handling(deadline: D.at(.seconds(7))))
        #expect(!connection.loopOwnsSocket)
        #expect(connection.tick(D.before(.seconds(7))) == .none)
        #expect(connection.tick(D.at(.seconds(7))) == .cancelHandlerAndClose)
        #expect(connection.state == .closed)
        // The handler returns later: its response must be dropped, the loop already answered 503.
        #expect(!connection.responseStarted())
    }

    @Test func responseStartedIsFalseAfterAnyTimeoutOrTermination() {
        let timedOut = Driver()
        timedOut.bytesReceived(.zero)
        #expect(timedOut.tick(D.at(.seconds(10))) == .respondAndClose(.requestTimeout))
        #expect(!timedOut.responseStarted())

        let cancelled = Driver()
        cancelled.requestReceived(.zero)
        #expect(cancelled.tick(D.at(.seconds(5))) == .cancelHandlerAndClose)
        #expect(!cancelled.responseStarted())

        let terminated = Driver()
        terminated.requestReceived(.zero)
        #expect(terminated.terminate() == .close)
        #expect(!terminated.responseStarted())
    }

    @Test func respondingHasNoTimeoutOfItsOwn() {
        let connection = Driver()
        connection.requestReceived(.zero)
        #expect(connection.responseStarted())
        #expect(connection.state == .responding)
        #expect(!connection.loopOwnsSocket)
        #expect(connection.tick(D.at(.seconds(1000))) == .none)
    }

    @Test func writeTimeoutClosesAClientThatStopsReading() {
        let connection = Driver()
        connection.requestReceived(.zero)
        #expect(connection.responseStarted())
        connection.writeBlocked(.seconds(1), closeAfter: false)
        #expect(connection.state == .writing(lastProgress: D.at(.seconds(1)), closeAfter: false))
        #expect(connection.loopOwnsSocket)
        // Progress moves the deadline.
        connection.writeBlocked(.seconds(15), closeAfter: false)
        #expect(connection.tick(D.at(.seconds(21))) == .none)
        #expect(connection.tick(D.before(.seconds(35))) == .none)
        #expect(connection.tick(D.at(.seconds(35))) == .reset)
        #expect(connection.state == .closed)
    }

    @Test func blockedWriteRemembersThatTheConnectionCloses() {
        let connection = Driver()
        connection.requestReceived(.zero)
        #expect(connection.responseStarted())
        connection.writeBlocked(.seconds(1), closeAfter: true)
        connection.writeBlocked(.seconds(2), closeAfter: false)
        #expect(connection.state == .writing(lastProgress: D.at(.seconds(2)), closeAfter: true))
    }

    @Test func lingerEndsAfterTheLingerTimeout() {
        let connection = Driver()
        connection.requestReceived(.zero)
        #expect(connection.responseStarted())
        connection.responseWritten(.seconds(1), closeAfter: true)
        #expect(connection.state == .lingering(since: D.at(.seconds(1))))
        #expect(connection.loopOwnsSocket)
        #expect(connection.machine.requestsServed == 1)
        #expect(connection.tick(D.before(.seconds(3))) == .none)
        #expect(connection.tick(D.at(.seconds(3))) == .close)
    }

    @Test func quiesceClosesAnIdleConnectionAtOnce() {
        let connection = Driver()
        connection.serveOne(received: .seconds(1), written: .seconds(2))
        #expect(connection.quiesce() == .close)
        #expect(connection.state == .closed)
        #expect(connection.terminate() == .none)
    }

    @Test func quiesceGivesANewConnectionItsFirstRequest() {
        // Accepted just before the listener closed: its request is on the wire and must be answered, once.
        let connection = Driver()
        #expect(connection.quiesce() == .none)
        #expect(connection.tick(D.before(HTTPConnectionStateMachine.firstRequestGrace)) == .none)
        connection.bytesReceived(.milliseconds(500))
        connection.requestReceived(.milliseconds(600))
        #expect(connection.responseStarted())
        #expect(!connection.machine.keepsAlive(clientWantsKeepAlive: true))
        connection.responseWritten(.milliseconds(700), closeAfter: true)
        #expect(connection.state == .lingering(since: D.at(.milliseconds(700))))
    }

    @Test func quiesceClosesASilentNewConnectionAfterTheGrace() {
        let connection = Driver()
        #expect(connection.quiesce() == .none)
        #expect(connection.state == .idle(since: D.origin))
        #expect(connection.tick(D.before(HTTPConnectionStateMachine.firstRequestGrace)) == .none)
        #expect(connection.tick(D.at(HTTPConnectionStateMachine.firstRequestGrace)) == .close)
        #expect(connection.state == .closed)
    }

    @Test func quiesceLetsABusyConnectionFinishWithoutKeepAlive() {
        let connection = Driver()
        connection.requestReceived(.zero)
        #expect(connection.machine.keepsAlive(clientWantsKeepAlive: true))
        #expect(connection.quiesce() == .none)
        #expect(connection.machine.isQuiescing)
        #expect(connection.state == .handling(deadline: D.at(.seconds(5))))
        #expect(connection.responseStarted())
        #expect(!connection.machine.keepsAlive(clientWantsKeepAlive: true))
        connection.responseWritten(.seconds(1), closeAfter: true)
        #expect(connection.state == .lingering(since: D.at(.seconds(1))))
    }

    @Test func quiesceWhileReadingLetsTheRequestFinish() {
        let connection = Driver()
        connection.bytesReceived(.zero)
        #expect(connection.quiesce() == .none)
        #expect(connection.state == .readingHead(started: D.origin))
        connection.requestReceived(.seconds(1))
        #expect(connection.responseStarted())
        #expect(!connection.machine.keepsAlive(clientWantsKeepAlive: true))
    }

    @Test func connectionThatGoesIdleAfterQuiesceIsClosedAtTheNextTick() {
        // The response was already on its way with keep-alive when the drain began; the connection
        // must not then sit idle until the idle timeout and hold the drain up.
        let connection = Driver()
        connection.requestReceived(.zero)
        #expect(connection.responseStarted())
        #expect(connection.machine.keepsAlive(clientWantsKeepAlive: true))
        #expect(connection.quiesce() == .none)
        connection.responseWritten(.seconds(1), closeAfter: false)
        #expect(connection.tick(D.at(.seconds(1))) == .close)
        #expect(connection.state == .closed)
    }

    @Test func terminateReturnsCloseExactlyOnce() {
        let connection = Driver()
        connection.requestReceived(.zero)
        #expect(connection.terminate() == .close)
        #expect(connection.terminate() == .none)
        #expect(connection.quiesce() == .none)
        #expect(connection.tick(D.at(.seconds(1000))) == .none)
        #expect(connection.state == .closed)
        #expect(!connection.loopOwnsSocket)
    }

    @Test func responseWrittenAfterCloseChangesNothing() {
        let connection = Driver()
        connection.requestReceived(.zero)
        #expect(connection.responseStarted())
        #expect(connection.terminate() == .close)
        connection.responseWritten(.seconds(1), closeAfter: false)
        #expect(connection.state == .closed)
        #expect(connection.machine.requestsServed == 0)
    }

    @Test func pipelinedRequestsCountEachResponse() {
        let connection = Driver()
        for second in Int64(1)...3 {
            connection.serveOne(received: .seconds(second), written: .seconds(second))
        }
        #expect(connection.machine.requestsServed == 3)
    }

    @Test func socketOwnershipFollowsTheState() {
        let connection = Driver()
        #expect(connection.loopOwnsSocket)
        connection.bytesReceived(.zero)
        #expect(connection.loopOwnsSocket)
        connection.headReceived(.zero)
        #expect(connection.loopOwnsSocket)
        connection.requestReceived(.zero)
        #expect(!connection.loopOwnsSocket)
        #expect(connection.responseStarted())
        #expect(!connection.loopOwnsSocket)
        connection.writeBlocked(.zero, closeAfter: false)
        #expect(connection.loopOwnsSocket)
    }
}
