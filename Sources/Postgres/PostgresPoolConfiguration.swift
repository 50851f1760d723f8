/// Sizes and timeouts of a ``PostgresPool``. Every field has a default.
public struct PostgresPoolConfiguration: Sendable, Equatable {
    /// Connections kept open even when idle (`DB_POOL_MIN`). Defaults to 1.
    public var minimumConnections: Int
    /// The most connections open at once, including ones being established (`DB_POOL_MAX`). Defaults to 10.
    public var maximumConnections: Int
    /// How long a caller waits for a connection before ``PostgresError/Code/poolAcquireTimeout``
    /// (`DB_ACQUIRE_TIMEOUT_SECONDS`). Defaults to 2 seconds.
    public var acquireTimeout: Duration
    /// Idle connections above the minimum close after this long (`DB_IDLE_TIMEOUT_SECONDS`). Defaults to 300 seconds.
    public var idleTimeout: Duration
    /// Connections close after this age, minus up to ``lifetimeJitter`` so they do not all expire together
    /// (`DB_MAX_LIFETIME_SECONDS`). Defaults to 1800 seconds.
    public var maximumLifetime: Duration
    /// The largest fraction cut from ``maximumLifetime`` at random per connection. Defaults to 0.1.
    public var lifetimeJitter: Double
    /// A connection idle at least this long is checked without a round trip (reading what the server sent:
    /// a terminated backend shows up as a closed socket) before it is handed out. Defaults to zero: the check is a
    /// non-blocking read, far cheaper than the failed statement it saves, and a backend can be ended at any moment.
    public var socketCheckAfterIdle: Duration
    /// A connection idle at least this long is checked with an empty query before it is handed out.
    /// Defaults to 30 seconds.
    public var roundTripCheckAfterIdle: Duration
    /// The first delay before reconnecting after a failed connect; it doubles per failure. Defaults to 100 ms.
    public var reconnectBackoff: Duration
    /// The longest delay between reconnect attempts. Defaults to 10 seconds.
    public var maximumReconnectBackoff: Duration
    /// When a statement whose connection broke runs again. Defaults to one retry.
    public var retryPolicy: RetryPolicy

    /// Creates a configuration; see each property for its default.
    public init(
        minimumConnections: Int = 1,
        maximumConnections: Int = 10,
        acquireTimeout: Duration = .seconds(2),
        idleTimeout: Duration = .seconds(300),
        maximumLifetime: Duration = .seconds(1800),
        lifetimeJitter: Double = 0.1,
        socketCheckAfterIdle: Duration = .zero,
        roundTripCheckAfterIdle: Duration = .seconds(30),
        reconnectBackoff: Duration = .milliseconds(100),
        maximumReconnectBackoff: Duration = .seconds(10),
        retryPolicy: RetryPolicy = RetryPolicy()
    ) {
        precondition(maximumConnections >= 1 && minimumConnections >= 0, "the pool needs at least one connection")
        self.minimumConnections = min(minimumConnections, maximumConnections)
        self.maximumConnections = maximumConnections
        self.acquireTimeout = acquireTimeout
        self.idleTimeout = idleTimeout
        self.maximumLifetime = maximumLifetime
        self.lifetimeJitter = lifetimeJitter
        self.socketCheckAfterIdle = socketCheckAfterIdle
        self.roundTripCheckAfterIdle = roundTripCheckAfterIdle
        self.reconnectBackoff = reconnectBackoff
        self.maximumReconnectBackoff = maximumReconnectBackoff
        self.retryPolicy = retryPolicy
    }
}
