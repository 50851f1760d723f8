/// When a statement that failed may run again on another connection: pure rules, no I/O.
///
/// Only a broken connection is worth a retry (constraint violations, syntax errors, statement timeouts and
/// cancellations would fail again or must not run twice). A statement that never reached the server is retried
/// whatever it does; one that may have run is retried only when its caller marked it idempotent. Either way
/// at most ``maximumRetries`` times, so a database that keeps dropping connections fails the request instead
/// of holding it.
public struct RetryPolicy: Sendable, Equatable {
    /// How a statement failed, as far as the retry rules care.
    public struct Failure: Sendable, Equatable {
        /// The connection broke (``PostgresError/Code/connectionLost``), rather than the statement failing.
        public var connectionBroke: Bool
        /// The statement may have reached the server (and may have run).
        public var statementSent: Bool

        /// Describes a failure.
        public init(connectionBroke: Bool, statementSent: Bool) {
            self.connectionBroke = connectionBroke
            self.statementSent = statementSent
        }

        /// Classifies an error thrown by a pooled statement.
        public init(_ error: any Error) {
            let error = error as? PostgresError
            connectionBroke = error?.code == .connectionLost
            statementSent = error?.statementSent ?? true
        }
    }

    /// Retries after the first attempt. Defaults to 1.
    public var maximumRetries: Int

    /// Creates a policy.
    public init(maximumRetries: Int = 1) {
        self.maximumRetries = maximumRetries
    }

    /// Whether to run the statement again on a fresh lease.
    ///
    /// - Parameters:
    ///   - failure: How the last attempt failed.
    ///   - idempotent: The caller marked the statement safe to run twice.
    ///   - retriesSoFar: Retries already made for this statement.
    public func shouldRetry(_ failure: Failure, idempotent: Bool, retriesSoFar: Int) -> Bool {
        guard retriesSoFar < maximumRetries, failure.connectionBroke else { return false }
        return !failure.statementSent || idempotent
    }
}
