import Glibc

/// The PostgreSQL every integration test shares: the one at `DATABASE_URL` (scripts/test.sh starts it and sets it).
///
/// Suites that use it carry the `.requiresPostgreSQL` trait, so without `DATABASE_URL` they are skipped, not failed.
public enum TestPostgres {
    /// Whether `DATABASE_URL` names a server.
    public static var isConfigured: Bool { environmentURL != nil }

    /// The shared cluster's URL.
    public static let url: String = {
        guard let url = environmentURL else { fatalError("DATABASE_URL is unset: mark the suite .requiresPostgreSQL") }
        return url
    }()

    private static var environmentURL: String? {
        guard let value = getenv("DATABASE_URL").map({ String(cString: $0) }), !value.isEmpty else { return nil }
        return value
    }
}
