import HTTPServer
import Postgres

extension ServiceAssembly {
    /// The problem for errors that mean the same on every route (the traffic router's ``Router/errorMapper``).
    ///
    /// No pool connection free within `DB_ACQUIRE_TIMEOUT_SECONDS`, or the pool closing for shutdown, is a 503
    /// the client may retry (here or on another pod), not a 500.
    static func problem(for error: any Error) -> HTTPError? {
        guard let error = error as? PostgresError, error.code == .poolAcquireTimeout || error.code == .poolClosed else {
            return nil
        }
        return HTTPError(.serviceUnavailable, detail: "The database is busy; retry shortly.", headers: ["Retry-After": "1"])
    }
}
