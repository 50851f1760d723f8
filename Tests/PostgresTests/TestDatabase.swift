import Glibc
import IO
import Postgres

/// The PostgreSQL the integration tests run against.
///
/// `DATABASE_URL` from the environment when set; otherwise the repository's throwaway cluster, started with
/// `scripts/dev-postgres.sh start` (idempotent). If neither works the tests fail: they never pass silently.
enum TestDatabase {
    static let group: EventLoopGroup = {
        do { return try EventLoopGroup(threadCount: 2) } catch { fatalError("event loops: \(error)") }
    }()

    static let repositoryRoot: String = {
        var path = #filePath
        for _ in 0..<3 { path = String(path[..<path.lastIndex(of: "/")!]) }
        return path
    }()

    static let url: String = {
        if let url = getenv("DATABASE_URL").map({ String(cString: $0) }), !url.isEmpty { return url }
        let output = run("\(repositoryRoot)/scripts/dev-postgres.sh start")
        guard output.status == 0, let line = output.text.split(separator: "\n").last, line.hasPrefix("postgresql://")
        else {
            fatalError("DATABASE_URL is unset and scripts/dev-postgres.sh start failed:\n\(output.text)")
        }
        return String(line)
    }()

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

    /// Runs a shell command, returning its exit status and combined output.
    @discardableResult
    static func run(_ command: String) -> (status: Int32, text: String) {
        guard let pipe = popen("\(command) 2>&1", "r") else { return (-1, "popen failed") }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = fread(&buffer, 1, buffer.count, pipe)
            if count <= 0 { break }
            bytes += buffer[..<count]
        }
        let text = String(decoding: bytes, as: UTF8.self)
        let status = pclose(pipe)
        return (status == 0 ? 0 : (status >> 8 == 0 ? status : status >> 8), text)
    }
}
