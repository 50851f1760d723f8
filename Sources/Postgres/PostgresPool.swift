public import IO
public import Observability
import Synchronization

/// A pool of ``PostgresConnection``s: the I/O owner of a ``PoolStateMachine``.
///
/// The machine lives in a `Mutex`; every event runs it under the lock and performs the resulting actions
/// after unlocking. Connections are opened by child tasks of ``run()``, which must be running for the pool to
/// grow (start it alongside the server, like any service).
///
/// ```swift
/// let pool = PostgresPool(configuration: configuration, poolConfiguration: .init(maximumConnections: 10), eventLoopGroup: group)
/// async let running: Void = pool.run()
/// let rows = try await pool.query("SELECT name FROM items WHERE id = $1", id)
/// await pool.close(timeout: .seconds(5))
/// ```
public final class PostgresPool: Sendable {
    typealias Machine = PoolStateMachine<PostgresConnection>

    private struct State {
        var machine: Machine
        var waiting: [Machine.RequestID: CheckedContinuation<Lease, any Error>] = [:]
        var closeWaiters: [CheckedContinuation<Void, Never>] = []
        var isShutdownComplete = false
        var timer: (id: Int, deadline: MonotonicInstant, task: Task<Void, Never>)?
        var nextTimerID = 0
        var lastConnectError: PostgresError?
    }

    /// A leased connection and its slot.
    struct Lease: Sendable {
        let id: Machine.ConnectionID
        let connection: PostgresConnection
        let check: Machine.Check
    }

    private enum Command: Sendable {
        case connect(Machine.ConnectionID)
    }

    /// Where each new connection's configuration comes from.
    public let configurationSource: PostgresConfigurationSource
    /// How a connection opened now would be configured.
    public var configuration: PostgresConfiguration { configurationSource.current }
    /// Sizes and timeouts.
    public let poolConfiguration: PostgresPoolConfiguration
    private let eventLoopGroup: EventLoopGroup
    private let logger: Logger?
    private let notices: PostgresNoticeSink
    private let acquireWaitObserver: (@Sendable (Duration) -> Void)?
    private let state: Mutex<State>
    private let nextRequestID = Atomic<Int>(0)
    /// Health checks take turns on the pool's connections (``withHealthConnection(timeout:_:)``).
    private let healthChecks = AsyncTurnstile()
    private let commands: AsyncStream<Command>
    private let commandSink: AsyncStream<Command>.Continuation

    /// Creates a pool whose connections all use `configuration`; no connection opens until ``run()`` starts.
    public convenience init(
        configuration: PostgresConfiguration,
        poolConfiguration: PostgresPoolConfiguration = .init(),
        eventLoopGroup: EventLoopGroup,
        logger: Logger? = nil,
        acquireWaitObserver: (@Sendable (Duration) -> Void)? = nil
    ) {
        self.init(
            configurationSource: .fixed(configuration), poolConfiguration: poolConfiguration, eventLoopGroup: eventLoopGroup,
            logger: logger, acquireWaitObserver: acquireWaitObserver)
    }

    /// Creates a pool that asks `configurationSource` for the configuration of every connection it opens; no connection
    /// opens until ``run()`` starts.
    ///
    /// - Parameters:
    ///   - logger: Receives connection events at `info` and below, and the server's notices (`db.notice`) at their own
    ///     level; never secrets or parameters.
    ///   - acquireWaitObserver: Called with how long each successful acquire took, queueing and idle checks
    ///     included (feed a histogram); keep it cheap, it runs on every query.
    public init(
        configurationSource: PostgresConfigurationSource,
        poolConfiguration: PostgresPoolConfiguration = .init(),
        eventLoopGroup: EventLoopGroup,
        logger: Logger? = nil,
        acquireWaitObserver: (@Sendable (Duration) -> Void)? = nil
    ) {
        self.configurationSource = configurationSource
        self.logger = logger
        self.notices = PostgresNoticeSink(logger: logger)
        self.acquireWaitObserver = acquireWaitObserver
        self.poolConfiguration = poolConfiguration
        self.eventLoopGroup = eventLoopGroup
        var generator = SystemRandomNumberGenerator()
        self.state = Mutex(State(machine: Machine(configuration: poolConfiguration, seed: generator.next())))
        (commands, commandSink) = AsyncStream.makeStream(of: Command.self)
    }

    /// Opens the minimum connections and keeps opening connections on demand until the pool is closed.
    ///
    /// Returns once ``close(timeout:)`` has finished. Cancelling it closes the pool at once.
    public func run() async {
        modifyState { $0.start(now: .now()) }
        await withDiscardingTaskGroup { group in
            for await command in commands {
                switch command {
                case .connect(let id):
                    group.addTask { await self.connect(id) }
                }
            }
        }
        if Task.isCancelled {
            modifyState { $0.shutdown(deadline: .now(), now: .now()) }
            modifyState { $0.tick(now: .now()) }
        }
    }

    private func connect(_ id: Machine.ConnectionID) async {
        do {
            let connection = try await PostgresConnection.connect(
                configuration: configuration, loop: eventLoopGroup.next(), notices: notices)
            logger?.debug("database connection opened", ["db.connection.id": .int(id)])
            modifyState { $0.connectionEstablished(id, connection, now: .now()) }
        } catch {
            let failure =
                error as? PostgresError ?? PostgresError(.connectionFailed, summary: "connecting was cancelled")
            logger?.info(
                "database connection failed",
                [
                    "db.connection.id": .int(id), "error.code": "\(failure.code)",
                    "error.summary": .string(failure.summary ?? ""),
                    // libpq's reason ("password authentication failed for user ..."): host and user, never the password.
                    "error.message": .string(failure.serverMessage ?? ""),
                ]
            )
            state.withLock { $0.lastConnectError = failure }
            modifyState { $0.connectionFailed(id, now: .now()) }
        }
    }

    // MARK: Leasing

    /// Runs `body` with a connection, returning the connection afterwards (or discarding it if it is not
    /// clean: broken, inside a transaction, or with results pending).
    ///
    /// - Throws: ``PostgresError/Code/poolAcquireTimeout`` if none is free within the acquire timeout,
    ///   ``PostgresError/Code/poolClosed`` after ``close(timeout:)``, or whatever `body` throws.
    @discardableResult
    public func withConnection<Result>(_ body: (PostgresConnection) async throws -> Result) async throws -> Result {
        let lease = try await acquire()
        let result: Result
        do {
            result = try await body(lease.connection)
        } catch {
            release(lease)
            throw error
        }
        release(lease)
        return result
    }

    /// Runs `body` in a transaction on a pooled connection; see ``PostgresConnection/withTransaction(_:)``.
    @discardableResult
    public func withTransaction<Result>(_ body: (PostgresConnection) async throws -> Result) async throws -> Result {
        try await withConnection { connection in try await connection.withTransaction(body) }
    }

    /// Runs one statement on a pooled connection.
    ///
    /// A statement whose connection broke before it reached the server runs again once on another connection.
    /// Pass `idempotent: true` for a statement that is safe to run twice (a read, an upsert to the same value): it
    /// also runs again once when the connection breaks mid-flight (a restart, a terminated backend), waiting for a
    /// connection within the acquire timeout while reconnects back off. Other errors are never retried; see
    /// ``RetryPolicy``.
    ///
    /// ```swift
    /// let rows = try await pool.query("SELECT name FROM items WHERE id = $1", id, idempotent: true)
    /// ```
    public func query<each Parameter: PostgresBindable>(
        _ sql: String,
        _ parameters: repeat each Parameter,
        idempotent: Bool = false
    ) async throws -> PostgresRows {
        try await query(sql, bindings: PostgresBindings(repeat each parameters), idempotent: idempotent)
    }

    /// Runs one statement with the given parameters on a pooled connection, retrying as ``query(_:_:idempotent:)`` does.
    public func query(_ sql: String, bindings: PostgresBindings, idempotent: Bool = false) async throws -> PostgresRows {
        var retries = 0
        while true {
            let lease = try await acquire()
            do {
                let rows = try await lease.connection.query(sql, bindings: bindings)
                release(lease)
                return rows
            } catch {
                release(lease)
                let failure = RetryPolicy.Failure(error)
                let retry = state.withLock { $0.machine.shouldRetry(failure, idempotent: idempotent, retriesSoFar: retries) }
                guard retry, !Task.isCancelled else { throw error }
                retries += 1
                logger?.info(
                    "database statement retried on another connection",
                    [
                        "event": "db.retry", "db.connection.id": .int(lease.id), "error.code": "\((error as? PostgresError)?.code.description ?? "")",
                        "db.statement_sent": .bool(failure.statementSent),
                    ]
                )
            }
        }
    }

    private func acquire() async throws -> Lease {
        let started = MonotonicInstant.now()
        while true {
            let lease = try await acquireUnchecked()
            if try await passesCheck(lease) {
                acquireWaitObserver?(MonotonicInstant.now().duration(since: started))
                return lease
            }
            release(lease)
        }
    }

    /// Leases an idle connection without suspending, or returns nil (unchecked: see ``passesCheck(_:)``).
    private func leaseIdleConnection() -> Lease? {
        let request = nextRequestID.wrappingAdd(1, ordering: .relaxed).oldValue
        let immediate = state.withLock { state -> (Lease?, Machine.Action?) in
            guard state.machine.hasIdleConnection else { return (nil, nil) }
            let action = state.machine.acquire(request, now: .now())
            return (action.lease.map { Lease(id: $0.connectionID, connection: $0.connection, check: $0.check) }, action)
        }
        if let action = immediate.1 { perform(action) }
        return immediate.0
    }

    /// Fast path: an idle connection without suspending. Otherwise queue with a continuation.
    private func acquireUnchecked() async throws -> Lease {
        if let lease = leaseIdleConnection() { return lease }
        let request = nextRequestID.wrappingAdd(1, ordering: .relaxed).oldValue
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Lease, any Error>) in
                if Task.isCancelled {
                    // The cancellation handler already ran and found nothing to withdraw.
                    continuation.resume(throwing: CancellationError())
                    return
                }
                modifyPoolState { state in
                    state.waiting[request] = continuation
                    return state.machine.acquire(request, now: .now())
                }
            }
        } onCancel: {
            modifyState { $0.cancel(request, now: .now()) }
        }
    }

    /// Checks a connection that sat idle. A failed check discards it and the caller acquires again.
    private func passesCheck(_ lease: Lease) async throws -> Bool {
        switch lease.check {
        case .none:
            return true
        case .socket:
            return lease.connection.checkWithoutWaiting()
        case .roundTrip:
            guard lease.connection.checkWithoutWaiting() else { return false }
            do {
                try await lease.connection.executeScript("")
                return true
            } catch let error as PostgresError where error.isConnectionError {
                return false
            }
        }
    }

    private func release(_ lease: Lease) {
        let connection = lease.connection
        let reusable = connection.isReusable
        let lastQuery = connection.lastSuccessfulQuery
        modifyState { $0.release(lease.id, reusable: reusable, lastQuery: lastQuery, now: .now()) }
    }

    // MARK: Shutdown and health

    /// Stops leasing, fails waiting callers with ``PostgresError/Code/poolClosed``, closes idle connections,
    /// waits up to `timeout` for leased ones, then interrupts and closes the rest. ``run()`` returns afterwards.
    public func close(timeout: Duration = .seconds(10)) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let isComplete = state.withLock { state in
                if !state.isShutdownComplete { state.closeWaiters.append(continuation) }
                return state.isShutdownComplete
            }
            if isComplete {
                continuation.resume()
            } else {
                let now = MonotonicInstant.now()
                modifyState { $0.shutdown(deadline: now + timeout, now: now) }
            }
        }
    }

    /// A snapshot for metrics and readiness.
    public var statistics: PoolStatistics {
        state.withLock { $0.machine.statistics }
    }

    /// When a lease last ended with a healthy connection; a liveness check can flag a wedged pool when
    /// this stops moving while callers wait.
    public var lastSuccessfulLease: MonotonicInstant? {
        state.withLock { $0.machine.statistics.lastSuccessfulLease }
    }

    /// The error of the last failed connection attempt, for readiness details.
    public var lastConnectError: PostgresError? {
        state.withLock { $0.lastConnectError }
    }

    /// Opens a standalone connection (outside the pool), runs `SELECT 1` and closes it.
    ///
    /// Tells "the database is reachable" apart from "the pool is stuck".
    public func probeFreshConnection(timeout: Duration) async throws {
        try await withStandaloneConnection(timeout: timeout) { connection in _ = try await connection.query("SELECT 1") }
    }

    /// Whether the database answers, for readiness: never waits for a connection that callers hold, so a busy pool
    /// does not read as an unreachable database.
    ///
    /// An idle pooled connection runs `SELECT 1`. With none idle, a statement completed on a pooled connection within
    /// `recentSuccess` is evidence enough; without it, a standalone connection outside the pool's limit answers.
    /// - Parameter query: What proves the database answers (`SELECT 1` by default); a check that wants more than
    ///   reachability (a schema version) reads it here, and keeps its last answer when evidence stood in for it.
    public func checkDatabase(
        recentSuccess: Duration, timeout: Duration,
        query: @escaping @Sendable (PostgresConnection) async throws -> Void = { _ = try await $0.query("SELECT 1") }
    ) async throws {
        let statistics = self.statistics
        if statistics.idle == 0, let last = statistics.lastSuccessfulQuery, MonotonicInstant.now().duration(since: last) < recentSuccess {
            return
        }
        try await withHealthConnection(timeout: timeout, query)
    }

    /// Runs `body` for a health check on a connection that request traffic cannot exhaust: an idle pooled one if there
    /// is one right now (it goes back to the pool), otherwise a standalone one opened for it and closed afterwards.
    /// Connecting and `body` take at most `timeout`.
    ///
    /// Health checks take turns: run together, the second would find the one idle connection held by the first and
    /// open one of its own, which fails while a rotated password has not reached the mounted file yet (every pod
    /// unready at once). A check cancelled while it waits for its turn throws `CancellationError`.
    ///
    /// - Throws: ``PostgresError/Code/timeout``, or what connecting or `body` throws.
    public func withHealthConnection<Result: Sendable>(
        timeout: Duration,
        _ body: @escaping @Sendable (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        try await healthChecks.pass { try await withHealthConnectionNow(timeout: timeout, body) }
    }

    private func withHealthConnectionNow<Result: Sendable>(
        timeout: Duration,
        _ body: @escaping @Sendable (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        let started = MonotonicInstant.now()
        if let lease = leaseIdleConnection() {
            guard lease.connection.checkWithoutWaiting() else {
                release(lease)
                return try await withStandaloneConnection(timeout: timeout, body)
            }
            do {
                let result = try await withDeadline(timeout) { try await body(lease.connection) }
                release(lease)
                return result
            } catch let error as PostgresError where error.isConnectionError && error.code != .timeout {
                // That session was ended (a terminated backend); a new one tells whether the database is.
                release(lease)
                let remaining = timeout - MonotonicInstant.now().duration(since: started)
                guard remaining > .zero else { throw error }
                return try await withStandaloneConnection(timeout: remaining, body)
            } catch {
                release(lease)
                throw error
            }
        }
        return try await withStandaloneConnection(timeout: timeout, body)
    }

    private func withStandaloneConnection<Result: Sendable>(
        timeout: Duration,
        _ body: @escaping @Sendable (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        var probeConfiguration = configuration
        probeConfiguration.connectTimeout = min(timeout, probeConfiguration.connectTimeout)
        probeConfiguration.preparedStatements = false
        let loop = eventLoopGroup.next()
        return try await withDeadline(timeout) { [probeConfiguration] in
            let connection = try await PostgresConnection.connect(configuration: probeConfiguration, loop: loop, notices: self.notices)
            defer { connection.close() }
            return try await body(connection)
        }
    }

    // MARK: Running actions

    private func modifyState(_ event: (inout Machine) -> Machine.Action) {
        modifyPoolState { state in event(&state.machine) }
    }

    /// Runs `event` under the lock, takes the continuations its action resolves, and acts after unlocking.
    private func modifyPoolState(_ event: (inout State) -> Machine.Action) {
        let (action, resumptions) = state.withLock { state in
            let action = event(&state)
            var resumptions: [(CheckedContinuation<Lease, any Error>, Result<Lease, any Error>)] = []
            if let lease = action.lease, let waiter = state.waiting.removeValue(forKey: lease.request) {
                resumptions.append(
                    (waiter, .success(Lease(id: lease.connectionID, connection: lease.connection, check: lease.check))))
            }
            for (request, failure) in action.failures {
                if let waiter = state.waiting.removeValue(forKey: request) {
                    resumptions.append(
                        (waiter, .failure(error(for: failure, lastConnectError: state.lastConnectError))))
                }
            }
            return (action, resumptions)
        }
        for (waiter, result) in resumptions { waiter.resume(with: result) }
        perform(action)
    }

    private func error(for failure: Machine.Failure, lastConnectError: PostgresError?) -> any Error {
        switch failure {
        case .acquireTimeout:
            let cause = lastConnectError.map { " (last connect error: \($0.code))" } ?? ""
            return PostgresError(
                .poolAcquireTimeout, summary: "no connection free within \(poolConfiguration.acquireTimeout)\(cause)")
        case .closed:
            return PostgresError(.poolClosed, summary: "the pool is closed")
        case .cancelled:
            return CancellationError()
        }
    }

    /// Performs an action's I/O (leases and failures are resolved by the caller).
    private func perform(_ action: Machine.Action) {
        for id in action.createConnections { commandSink.yield(.connect(id)) }
        for connection in action.closeConnections { connection.close() }
        for connection in action.abortConnections { connection.abort() }
        if let deadline = action.scheduleTimer { scheduleTimer(at: deadline) }
        if action.isShutdownComplete { completeShutdown() }
    }

    /// Keeps one sleeping task for the earliest deadline. A later deadline needs no task of its own: the
    /// machine re-arms after each tick. Actions run after unlocking, so they may arrive out of order.
    private func scheduleTimer(at deadline: MonotonicInstant) {
        let replaced = state.withLock { state -> Task<Void, Never>? in
            if state.isShutdownComplete { return nil }
            if let current = state.timer, current.deadline <= deadline { return nil }
            state.nextTimerID += 1
            let id = state.nextTimerID
            let previous = state.timer?.task
            let task = Task { [weak self] in
                do { try await Task.sleep(for: deadline.duration(since: .now())) } catch { return }
                self?.timerFired(id)
            }
            state.timer = (id, deadline, task)
            return previous
        }
        replaced?.cancel()
    }

    private func timerFired(_ id: Int) {
        state.withLock { state in
            if state.timer?.id == id { state.timer = nil }
        }
        modifyState { $0.tick(now: .now()) }
    }

    private func completeShutdown() {
        let (waiters, timer) = state.withLock { state in
            state.isShutdownComplete = true
            defer {
                state.closeWaiters.removeAll()
                state.timer = nil
            }
            return (state.closeWaiters, state.timer?.task)
        }
        timer?.cancel()
        logger?.info("database pool closed")
        commandSink.finish()
        for waiter in waiters { waiter.resume() }
    }
}
