import Glibc

/// The PostgreSQL every integration test shares.
///
/// `DATABASE_URL` from the environment when set (scripts/test.sh sets it); otherwise the repository's throwaway
/// cluster, started with `scripts/dev-postgres.sh start` (idempotent). If neither works the tests fail: they never
/// pass silently.
public enum TestPostgres {
    /// The shared cluster's URL.
    public static let url: String = {
        if let url = getenv("DATABASE_URL").map({ String(cString: $0) }), !url.isEmpty { return url }
        do {
            return try DedicatedCluster.startCluster(in: nil)
        } catch {
            fatalError("DATABASE_URL is unset and \(error)")
        }
    }()
}
