/// One step of an application's schema: SQL run once, in one transaction, by `service migrate`.
public struct Migration: Sendable {
    /// Its version; strictly increasing.
    public let version: Int
    /// A short name.
    public let name: String
    /// The SQL it runs, in one transaction.
    public let sql: String

    /// Creates a migration.
    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
    }

    /// A stable checksum of the SQL (FNV-1a, 64 bits), to detect edited migrations.
    public var checksum: String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in sql.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}

extension [Migration] {
    /// The schema version these migrations reach (the last one's; 0 for none).
    public var requiredVersion: Int { last?.version ?? 0 }
}
