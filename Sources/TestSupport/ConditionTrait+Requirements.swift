import Glibc
public import Testing

/// What a suite needs beyond the toolchain and libpq-dev. Without it the suite is skipped with a one-line reason, so
/// plain `swift test` runs the pure tests (parser, router, state machines, settings, metrics) on any machine;
/// `make test` (scripts/test.sh) provides all of it, so nothing is skipped there.
extension Trait where Self == ConditionTrait {
    /// A PostgreSQL at `DATABASE_URL`, and the server binaries for the tests that start clusters of their own.
    public static var requiresPostgreSQL: Self {
        .enabled(if: TestPostgres.isConfigured, "needs PostgreSQL: set DATABASE_URL, or run make test")
    }

    /// The executable at `path`, from the Debian package `package`.
    public static func requires(_ path: String, from package: String) -> Self {
        .enabled(if: access(path, X_OK) == 0, "needs \(path): apt-get install \(package), or run make test")
    }
}
