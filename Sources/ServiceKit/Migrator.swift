public import Postgres

/// Applies an application's ``Migration``s to a database: each migration in its own transaction, recorded in
/// `schema_migrations`, under an advisory lock so concurrent runners (two Job pods) are safe.
public struct Migrator: Sendable {
    /// A mismatch between the database and this binary's migrations.
    public struct Failure: Error, CustomStringConvertible, Sendable {
        /// What is wrong.
        public let description: String
    }

    /// One row of `migrate status`.
    public struct Status: Sendable {
        /// The migration.
        public let version: Int
        /// Its name.
        public let name: String
        /// When it was applied, or nil if pending.
        public let appliedAt: String?
    }

    /// An arbitrary constant naming our advisory lock.
    static let lockKey: Int64 = 0x5345_5256_4943_45

    static let createTable = """
        CREATE TABLE IF NOT EXISTS schema_migrations (
            version bigint PRIMARY KEY,
            name text NOT NULL,
            checksum text NOT NULL,
            applied_at timestamptz NOT NULL DEFAULT now()
        )
        """

    let pool: PostgresPool
    let migrations: [Migration]

    /// Creates a migrator applying `migrations` over `pool`.
    public init(pool: PostgresPool, migrations: [Migration]) {
        self.pool = pool
        self.migrations = migrations
    }

    /// Applies every pending migration; returns the versions applied.
    public func migrate() async throws -> [Int] {
        try await pool.withConnection { connection in
            _ = try await connection.query("SELECT pg_advisory_lock($1)", Self.lockKey)
            do {
                let applied = try await apply(on: connection)
                _ = try await connection.query("SELECT pg_advisory_unlock($1)", Self.lockKey)
                return applied
            } catch {
                _ = try? await connection.query("SELECT pg_advisory_unlock($1)", Self.lockKey)
                throw error
            }
        }
    }

    private func apply(on connection: PostgresConnection) async throws -> [Int] {
        try await connection.executeScript(Self.createTable)
        let recorded = try await Self.recorded(on: connection)
        try verify(recorded)
        var applied: [Int] = []
        for migration in migrations where recorded[migration.version] == nil {
            try await connection.withTransaction { connection in
                try await connection.executeScript(migration.sql)
                _ = try await connection.query(
                    "INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
                    Int64(migration.version), migration.name, migration.checksum
                )
            }
            applied.append(migration.version)
        }
        return applied
    }

    /// Where the database stands, one row per known migration.
    public func status() async throws -> [Status] {
        try await pool.withConnection { connection in
            try await connection.executeScript(Self.createTable)
            let rows = try await connection.query("SELECT version, name, checksum, applied_at::text AS applied_at FROM schema_migrations ORDER BY version")
            var appliedAt: [Int: String] = [:]
            for row in rows {
                appliedAt[Int(try row.decode(Int64.self, column: "version"))] = try row.decode(String.self, column: "applied_at")
            }
            try verify(try await Self.recorded(on: connection))
            return migrations.map { Status(version: $0.version, name: $0.name, appliedAt: appliedAt[$0.version]) }
        }
    }

    /// The highest applied version read on `connection`, or 0 when `schema_migrations` does not exist yet.
    ///
    /// Two statements, because PostgreSQL resolves every table a statement names before running it: a
    /// `WHERE to_regclass(...)` guard in the same statement cannot keep a missing table from failing it.
    public static func appliedVersion(on connection: PostgresConnection) async throws -> Int {
        let present = try await connection.query("SELECT to_regclass('schema_migrations') IS NOT NULL AS present")
        guard try present[0].decode(Bool.self, column: "present") else { return 0 }
        let rows = try await connection.query("SELECT coalesce(max(version), 0) AS version FROM schema_migrations")
        return Int(try rows[0].decode(Int64.self, column: "version"))
    }

    private static func recorded(on connection: PostgresConnection) async throws -> [Int: String] {
        var recorded: [Int: String] = [:]
        for row in try await connection.query("SELECT version, checksum FROM schema_migrations") {
            recorded[Int(try row.decode(Int64.self, column: "version"))] = try row.decode(String.self, column: "checksum")
        }
        return recorded
    }

    private func verify(_ recorded: [Int: String]) throws {
        for migration in migrations {
            if let checksum = recorded[migration.version], checksum != migration.checksum {
                throw Failure(
                    description: "migration \(migration.version) (\(migration.name)) was changed after it was applied: checksum \(checksum) in the database, \(migration.checksum) in this binary"
                )
            }
        }
        if let newest = recorded.keys.max(), newest > migrations.requiredVersion {
            throw Failure(description: "the database is at version \(newest), newer than this binary's \(migrations.requiredVersion)")
        }
    }
}
