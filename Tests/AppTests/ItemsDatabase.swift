import ServiceKit
import TestSupport

@testable import App

/// The shared test cluster, migrated to the items schema once per test process.
enum ItemsDatabase {
    /// Migrates once; concurrent callers wait for the same run.
    static func migrate() async throws {
        try await migration.value
    }

    private static let migration = Task {
        try await PoolFixture.withPool { pool in _ = try await Migrator(pool: pool, migrations: ItemsService.migrations).migrate() }
    }
}
