import IO
import Postgres
import TestSupport

/// The PostgreSQL the integration tests run against: the shared cluster of ``TestPostgres``.
enum TestDatabase {
    static let group: EventLoopGroup = {
        do { return try EventLoopGroup(threadCount: 2) } catch { fatalError("event loops: \(error)") }
    }()

    static var url: String { TestPostgres.url }

    static func configuration(
        preparedStatements: Bool = true,
        statementTimeout: Duration? = nil,
        url: String = TestDatabase.url
    ) throws -> PostgresConfiguration {
        try PostgresConfiguration(
            url: url,
            applicationName: "postgres-tests",
            connectTimeout: .seconds(5),
            statementTimeout: statementTimeout,
            preparedStatements: preparedStatements
        )
    }

    static func connect(preparedStatements: Bool = true, statementTimeout: Duration? = nil) async throws
        -> PostgresConnection
    {
        try await PostgresConnection.connect(
            configuration: configuration(preparedStatements: preparedStatements, statementTimeout: statementTimeout),
            loop: group.next()
        )
    }
}
