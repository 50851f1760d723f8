public import IO

/// A snapshot of the pool for metrics and readiness.
public struct PoolStatistics: Sendable, Equatable {
    /// Established connections (idle plus in use).
    public var open = 0
    /// Connections being established.
    public var connecting = 0
    /// Established connections waiting for a caller.
    public var idle = 0
    /// Connections leased to callers.
    public var inUse = 0
    /// Callers waiting for a connection.
    public var waiters = 0
    /// Leases handed out since the pool started.
    public var acquiredTotal = 0
    /// Time callers spent waiting for those leases, summed.
    public var acquireWaitTotal = Duration.zero
    /// Callers that gave up with ``PostgresError/Code/poolAcquireTimeout``.
    public var acquireTimeouts = 0
    /// Connections established since the pool started.
    public var connectsTotal = 0
    /// Failed connection attempts since the pool started.
    public var connectFailures = 0
    /// Failed connection attempts since the last success (non-zero: the database is unreachable).
    public var consecutiveConnectFailures = 0
    /// Connections closed because they were broken or returned dirty.
    public var discardedTotal = 0
    /// Statements run again on a new connection after theirs broke (see ``RetryPolicy``).
    public var retriesTotal = 0
    /// When a lease last ended with a healthy connection.
    public var lastSuccessfulLease: MonotonicInstant?
    /// When a statement last completed without error on a connection since returned to the pool.
    public var lastSuccessfulQuery: MonotonicInstant?
}
