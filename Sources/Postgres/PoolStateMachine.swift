public import IO

/// The connection pool's decisions, with no I/O: each event takes the current instant and returns the
/// ``Action`` its owner must perform (lease, fail requests, open or close connections, set a timer).
///
/// Phases: `running` → `shuttingDown` (no new leases; waits for leased connections up to a deadline) →
/// `closed`. Connections are handed out last-in first-out, so surplus ones stay idle and time out;
/// waiters are served first-in first-out.
public struct PoolStateMachine<Connection: Sendable>: Sendable {
    /// Identifies a connection slot (also while it is being established).
    public typealias ConnectionID = Int
    /// Identifies one caller waiting for a connection.
    public typealias RequestID = Int

    /// How a connection must be checked before the caller gets it.
    public enum Check: Hashable, Sendable {
        /// Used recently: hand it out as is.
        case none
        /// Read what the server sent meanwhile, without waiting (detects terminated backends).
        case socket
        /// Run an empty query.
        case roundTrip
    }

    /// A connection handed to a request.
    public struct Lease: Sendable {
        /// The request served.
        public var request: RequestID
        /// The slot of the connection.
        public var connectionID: ConnectionID
        /// The connection.
        public var connection: Connection
        /// The check to run before use; if it fails, report ``PoolStateMachine/release(_:reusable:lastQuery:now:)``
        /// with `reusable: false` and acquire again.
        public var check: Check
    }

    /// Why a request failed.
    public enum Failure: Hashable, Sendable {
        /// No connection within the acquire timeout.
        case acquireTimeout
        /// The pool is shutting down.
        case closed
        /// The caller withdrew (its task was cancelled).
        case cancelled
    }

    /// Everything the owner must do after an event, in any order.
    public struct Action: Sendable {
        /// Hand this connection to this request.
        public var lease: Lease?
        /// Fail these requests.
        public var failures: [(request: RequestID, failure: Failure)] = []
        /// Start establishing these slots; report the outcome with `connectionEstablished`/`connectionFailed`.
        public var createConnections: [ConnectionID] = []
        /// Close these connections (none of them is leased).
        public var closeConnections: [Connection] = []
        /// Interrupt these leased connections' traffic (forced shutdown); they come back through `release`.
        public var abortConnections: [Connection] = []
        /// Call ``tick(now:)`` at this instant (replaces any earlier-scheduled later timer).
        public var scheduleTimer: MonotonicInstant?
        /// The pool has finished shutting down.
        public var isShutdownComplete = false

        /// An action that does nothing.
        public static var none: Action { Action() }
    }

    private enum Phase: Sendable {
        case running
        case shuttingDown(deadline: MonotonicInstant)
        case closed
    }

    private enum SlotState: Sendable {
        case connecting
        case idle(Connection, since: MonotonicInstant)
        case leased(Connection)
    }

    private struct Slot: Sendable {
        var state: SlotState
        var expiresAt: MonotonicInstant
    }

    private struct Waiter: Sendable {
        var request: RequestID
        var enqueuedAt: MonotonicInstant
        var deadline: MonotonicInstant
    }

    /// The limits and timeouts.
    public let configuration: PostgresPoolConfiguration
    private var phase = Phase.running
    private var slots: [ConnectionID: Slot] = [:]
    /// Idle slots, oldest first; leases take from the end.
    private var idle: [ConnectionID] = []
    private var waiters = FIFOQueue<Waiter>()
    private var connectingCount = 0
    private var nextConnectionID = 0
    private var consecutiveFailures = 0
    private var retryAt: MonotonicInstant?
    private var scheduledTimer: MonotonicInstant?
    private var random: SplitMix64
    /// Counters for metrics and readiness.
    public private(set) var statistics = PoolStatistics()

    /// Creates an empty pool; call ``start(now:)`` to open the minimum connections.
    ///
    /// - Parameter seed: Seeds the jitter of lifetimes and backoff, so tests are deterministic.
    public init(configuration: PostgresPoolConfiguration, seed: UInt64) {
        self.configuration = configuration
        self.random = SplitMix64(seed: seed)
    }

    /// Opens the minimum number of connections.
    public mutating func start(now: MonotonicInstant) -> Action {
        var action = Action()
        createConnectionsIfNeeded(into: &action)
        return finish(action, now: now)
    }

    /// True if ``acquire(_:now:)`` would lease at once.
    public var hasIdleConnection: Bool {
        if case .running = phase { return !idle.isEmpty }
        return false
    }

    /// A caller wants a connection: lease an idle one, or queue the caller (and open a connection if allowed).
    public mutating func acquire(_ request: RequestID, now: MonotonicInstant) -> Action {
        var action = Action()
        guard case .running = phase else {
            action.failures.append((request, .closed))
            return action
        }
        if let id = idle.popLast(), case .idle(let connection, let since) = slots[id]?.state {
            slots[id]!.state = .leased(connection)
            action.lease = Lease(
                request: request, connectionID: id, connection: connection, check: check(idleSince: since, now: now))
            statistics.acquiredTotal += 1
        } else {
            waiters.append(Waiter(request: request, enqueuedAt: now, deadline: now + configuration.acquireTimeout))
            createConnectionsIfNeeded(into: &action)
        }
        return finish(action, now: now)
    }

    /// A waiting caller gave up. Returns a `.cancelled` failure if it was still waiting.
    public mutating func cancel(_ request: RequestID, now: MonotonicInstant) -> Action {
        var action = Action()
        if waiters.removeFirst(where: { $0.request == request }) {
            action.failures.append((request, .cancelled))
        }
        return finish(action, now: now)
    }

    /// A connection requested by `createConnections` is ready.
    public mutating func connectionEstablished(_ id: ConnectionID, _ connection: Connection, now: MonotonicInstant)
        -> Action
    {
        var action = Action()
        guard case .connecting = slots[id]?.state else {
            action.closeConnections.append(connection)
            return finish(action, now: now)
        }
        connectingCount -= 1
        consecutiveFailures = 0
        retryAt = nil
        statistics.connectsTotal += 1
        guard case .running = phase else {
            slots[id] = nil
            action.closeConnections.append(connection)
            completeShutdownIfDone(into: &action)
            return finish(action, now: now)
        }
        let jitter = configuration.lifetimeJitter * random.nextUnitInterval()
        slots[id]!.expiresAt = now + configuration.maximumLifetime * (1 - jitter)
        hand(id, connection, now: now, into: &action)
        createConnectionsIfNeeded(into: &action)
        return finish(action, now: now)
    }

    /// Establishing a connection failed: back off (jittered, exponential) before the next attempt.
    public mutating func connectionFailed(_ id: ConnectionID, now: MonotonicInstant) -> Action {
        guard case .connecting = slots[id]?.state else { return .none }
        slots[id] = nil
        connectingCount -= 1
        consecutiveFailures += 1
        statistics.connectFailures += 1
        let exponent = min(consecutiveFailures - 1, 20)
        let ceiling = min(configuration.reconnectBackoff * (1 << exponent), configuration.maximumReconnectBackoff)
        // "Equal jitter": between half and all of the ceiling, so retries spread but still back off.
        retryAt = now + ceiling * (0.5 + 0.5 * random.nextUnitInterval())
        var action = Action()
        completeShutdownIfDone(into: &action)
        return finish(action, now: now)
    }

    /// The caller is done with a leased connection.
    ///
    /// - Parameters:
    ///   - reusable: The connection is healthy and idle (no transaction, nothing pending); otherwise it is closed.
    ///   - lastQuery: When the connection last completed a statement, for ``PoolStatistics/lastSuccessfulQuery``.
    public mutating func release(
        _ id: ConnectionID,
        reusable: Bool,
        lastQuery: MonotonicInstant?,
        now: MonotonicInstant
    ) -> Action {
        var action = Action()
        guard let slot = slots[id], case .leased(let connection) = slot.state else { return .none }
        if let lastQuery, statistics.lastSuccessfulQuery.map({ lastQuery > $0 }) ?? true {
            statistics.lastSuccessfulQuery = lastQuery
        }
        if reusable { statistics.lastSuccessfulLease = now }
        let isRunning: Bool
        if case .running = phase { isRunning = true } else { isRunning = false }
        if !reusable || !isRunning || now >= slot.expiresAt {
            slots[id] = nil
            action.closeConnections.append(connection)
            if !reusable { statistics.discardedTotal += 1 }
            createConnectionsIfNeeded(into: &action)
            completeShutdownIfDone(into: &action)
        } else {
            hand(id, connection, now: now, into: &action)
        }
        return finish(action, now: now)
    }

    /// A statement on a leased connection failed: decides with ``PostgresPoolConfiguration/retryPolicy`` whether the
    /// caller runs it again (acquiring anew, within its acquire timeout, while reconnects back off as usual), and
    /// counts the retry. Never while shutting down.
    public mutating func shouldRetry(_ failure: RetryPolicy.Failure, idempotent: Bool, retriesSoFar: Int) -> Bool {
        guard case .running = phase,
            configuration.retryPolicy.shouldRetry(failure, idempotent: idempotent, retriesSoFar: retriesSoFar)
        else { return false }
        statistics.retriesTotal += 1
        return true
    }

    /// Timers: fail waiters past their deadline, close idle or expired connections, retry connecting,
    /// and force the shutdown past its deadline.
    public mutating func tick(now: MonotonicInstant) -> Action {
        var action = Action()
        scheduledTimer = nil
        while let first = waiters.first, first.deadline <= now {
            waiters.removeFirst()
            action.failures.append((first.request, .acquireTimeout))
            statistics.acquireTimeouts += 1
        }
        switch phase {
        case .running:
            closeExpiredIdleConnections(now: now, into: &action)
            if let retry = retryAt, retry <= now { retryAt = nil }
            createConnectionsIfNeeded(into: &action)
        case .shuttingDown(let deadline) where deadline <= now:
            for slot in slots.values {
                if case .leased(let connection) = slot.state { action.abortConnections.append(connection) }
            }
            phase = .closed
            action.isShutdownComplete = true
        case .shuttingDown, .closed:
            break
        }
        return finish(action, now: now)
    }

    /// Stops leasing: fails waiters, closes idle connections, and completes once leased connections come
    /// back or at `deadline`, whichever is first.
    public mutating func shutdown(deadline: MonotonicInstant, now: MonotonicInstant) -> Action {
        var action = Action()
        guard case .running = phase else { return .none }
        phase = .shuttingDown(deadline: deadline)
        for waiter in waiters { action.failures.append((waiter.request, .closed)) }
        waiters.removeAll()
        for id in idle {
            if case .idle(let connection, _) = slots[id]?.state { action.closeConnections.append(connection) }
            slots[id] = nil
        }
        idle.removeAll()
        completeShutdownIfDone(into: &action)
        return finish(action, now: now)
    }

    // MARK: Helpers

    /// Gives a free connection to the first waiter, or parks it as idle.
    private mutating func hand(
        _ id: ConnectionID, _ connection: Connection, now: MonotonicInstant, into action: inout Action
    ) {
        if !waiters.isEmpty {
            let waiter = waiters.removeFirst()
            slots[id]!.state = .leased(connection)
            action.lease = Lease(request: waiter.request, connectionID: id, connection: connection, check: .none)
            statistics.acquiredTotal += 1
            statistics.acquireWaitTotal += now.duration(since: waiter.enqueuedAt)
        } else {
            slots[id]!.state = .idle(connection, since: now)
            idle.append(id)
        }
    }

    private func check(idleSince since: MonotonicInstant, now: MonotonicInstant) -> Check {
        let idleFor = now.duration(since: since)
        if idleFor >= configuration.roundTripCheckAfterIdle { return .roundTrip }
        if idleFor >= configuration.socketCheckAfterIdle { return .socket }
        return .none
    }

    /// Opens connections for queued waiters and up to the minimum, within the maximum. While reconnects
    /// are failing, only one attempt runs at a time, and none until the backoff has passed.
    private mutating func createConnectionsIfNeeded(into action: inout Action) {
        guard case .running = phase, retryAt == nil else { return }
        let wanted = max(configuration.minimumConnections - slots.count, waiters.count - connectingCount)
        var count = min(wanted, configuration.maximumConnections - slots.count)
        if consecutiveFailures > 0 { count = min(count, 1 - connectingCount) }
        guard count > 0 else { return }
        for _ in 0..<count {
            let id = nextConnectionID
            nextConnectionID += 1
            slots[id] = Slot(state: .connecting, expiresAt: MonotonicInstant(nanoseconds: .max))
            connectingCount += 1
            action.createConnections.append(id)
        }
    }

    /// Closes idle connections past their lifetime, and those idle too long above the minimum.
    private mutating func closeExpiredIdleConnections(now: MonotonicInstant, into action: inout Action) {
        var index = 0
        while index < idle.count {
            let id = idle[index]
            guard let slot = slots[id], case .idle(let connection, let since) = slot.state else {
                index += 1
                continue
            }
            let surplus = slots.count > configuration.minimumConnections
            if now >= slot.expiresAt || (surplus && now >= since + configuration.idleTimeout) {
                idle.remove(at: index)
                slots[id] = nil
                action.closeConnections.append(connection)
            } else {
                index += 1
            }
        }
    }

    private mutating func completeShutdownIfDone(into action: inout Action) {
        guard case .shuttingDown = phase, slots.isEmpty else { return }
        phase = .closed
        action.isShutdownComplete = true
    }

    /// The earliest instant at which ``tick(now:)`` has work.
    private func nextDeadline() -> MonotonicInstant? {
        var deadline = waiters.first?.deadline
        func consider(_ instant: MonotonicInstant?) {
            guard let instant else { return }
            if deadline.map({ instant < $0 }) ?? true { deadline = instant }
        }
        switch phase {
        case .running:
            consider(retryAt)
            if slots.count > configuration.minimumConnections, let oldest = idle.first,
                case .idle(_, let since) = slots[oldest]?.state
            {
                consider(since + configuration.idleTimeout)
            }
            for id in idle { consider(slots[id]?.expiresAt) }
        case .shuttingDown(let shutdownDeadline):
            consider(shutdownDeadline)
        case .closed:
            break
        }
        return deadline
    }

    /// Updates the statistics and asks for a timer when the next deadline is earlier than the scheduled one.
    private mutating func finish(_ action: Action, now: MonotonicInstant) -> Action {
        var action = action
        if let next = nextDeadline(), scheduledTimer.map({ next < $0 }) ?? true {
            scheduledTimer = next
            action.scheduleTimer = next
        }
        var idleCount = 0
        var leasedCount = 0
        for slot in slots.values {
            switch slot.state {
            case .idle: idleCount += 1
            case .leased: leasedCount += 1
            case .connecting: break
            }
        }
        statistics.idle = idleCount
        statistics.inUse = leasedCount
        statistics.connecting = connectingCount
        statistics.open = idleCount + leasedCount
        statistics.waiters = waiters.count
        statistics.consecutiveConnectFailures = consecutiveFailures
        return action
    }
}

/// A small, fast, seedable generator for jitter (Steele, Lea and Flood's SplitMix64).
struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A value in [0, 1).
    mutating func nextUnitInterval() -> Double {
        Double(next() >> 11) / Double(1 << 53)
    }
}
