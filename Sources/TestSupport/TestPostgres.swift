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
        let output = Shell.run("\(Shell.repositoryRoot)/scripts/dev-postgres.sh start")
        guard output.status == 0, let line = output.text.split(separator: "\n").last, line.hasPrefix("postgresql://") else {
            fatalError("DATABASE_URL is unset and scripts/dev-postgres.sh start failed:\n\(output.text)")
        }
        return String(line)
    }()
}
