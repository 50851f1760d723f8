import CLibPQ
import IO

/// How to reach PostgreSQL and how each connection behaves.
///
/// The connection string is a libpq URI (`postgresql://user@host:5432/db?sslmode=require`) or a keyword/value
/// string (`host=db user=app sslmode=verify-full`). Every libpq option passes through unchanged; this type only
/// adds the settings the service controls (application name, statement timeout, connect timeout).
///
/// ```swift
/// let configuration = try PostgresConfiguration(url: "postgresql://app@db/app", password: secretFromFile)
/// ```
public struct PostgresConfiguration: Sendable {
    /// The `application_name` of a configuration that names none: `"service"`.
    public static let defaultApplicationName = "service"
    /// How long connecting may take when not configured: 5 seconds.
    public static let defaultConnectTimeout: Duration = .seconds(5)

    /// The connection string as libpq parsed it.
    public private(set) var connectionString: PostgresConnectionString
    /// libpq keyword/value pairs parsed from the connection string (only the ones it sets).
    public var parameters: [(keyword: String, value: String)] { connectionString.parameters }
    /// Replaces any password in the connection string (from `DATABASE_PASSWORD_FILE`). Defaults to `nil`.
    public var password: String?
    /// `application_name` reported to the server, unless the connection string sets one. Defaults to
    /// ``defaultApplicationName``.
    public var applicationName: String
    /// How long establishing a connection may take, DNS to authentication. Defaults to ``defaultConnectTimeout``.
    public var connectTimeout: Duration
    /// `statement_timeout` for every statement, or `nil` for the server's setting. Defaults to `nil`.
    ///
    /// Sent as the startup option `-c statement_timeout=…`; PgBouncer needs `ignore_startup_parameters = options`
    /// to accept it, so behind PgBouncer set the timeout on the database role instead.
    public var statementTimeout: Duration?
    /// Cache named prepared statements per connection. Defaults to `true`.
    ///
    /// Turn off behind PgBouncer in transaction pooling mode, where consecutive statements may reach
    /// different server connections; each query then uses the unnamed statement.
    public var preparedStatements: Bool
    /// The most statements cached per connection; later new SQL texts run unprepared. Defaults to 256.
    public var preparedStatementCacheSize: Int

    /// Parses and validates `url` as libpq would.
    ///
    /// - Parameters:
    ///   - url: A libpq URI or keyword/value string (`DATABASE_URL`).
    ///   - password: Overrides the password in `url`.
    ///   - settingName: The setting named in errors, so the operator knows what to fix.
    /// - Throws: ``PostgresError/Code/invalidConfiguration`` with libpq's message, without any piece of the string
    ///   that could be a password.
    public init(
        url: String,
        password: String? = nil,
        applicationName: String = defaultApplicationName,
        connectTimeout: Duration = defaultConnectTimeout,
        statementTimeout: Duration? = nil,
        preparedStatements: Bool = true,
        preparedStatementCacheSize: Int = 256,
        settingName: String = "DATABASE_URL"
    ) throws(PostgresError) {
        self.connectionString = try Self.parse(url, settingName: settingName)
        self.password = password
        self.applicationName = applicationName
        self.connectTimeout = connectTimeout
        self.statementTimeout = statementTimeout
        self.preparedStatements = preparedStatements
        self.preparedStatementCacheSize = preparedStatementCacheSize
    }

    /// The value the connection string gives `keyword`, if any.
    public func parameter(_ keyword: String) -> String? {
        connectionString.value(keyword)
    }

    /// The connection string as keyword/value pairs with every secret replaced by `***`, safe to log.
    public var redactedDescription: String {
        let redacted = connectionString.redactedPairs
        guard password != nil, connectionString.value("password") == nil else { return redacted }
        return redacted.isEmpty ? "password=***" : redacted + " password=***"
    }

    /// The keyword/value pairs handed to `PQconnectStartParams`.
    var connectParameters: [(keyword: String, value: String)] {
        var result = parameters.filter { $0.keyword != "password" || password == nil }
        if let password { result.append(("password", password)) }
        result.append(("fallback_application_name", applicationName))
        result.append(("client_encoding", "UTF8"))
        if let statementTimeout {
            let milliseconds = max(1, statementTimeout.nanoseconds / 1_000_000)
            let option = "-c statement_timeout=\(milliseconds)"
            if let index = result.lastIndex(where: { $0.keyword == "options" }) {
                result[index].value += " " + option
            } else {
                result.append(("options", option))
            }
        }
        return result
    }

    private static func parse(_ url: String, settingName: String) throws(PostgresError) -> PostgresConnectionString {
        guard !url.isEmpty else {
            throw PostgresError(.invalidConfiguration, summary: "\(settingName) is empty")
        }
        do {
            return try PostgresConnectionString(url)
        } catch {
            throw PostgresError(.invalidConfiguration, summary: "\(settingName): \(error.summary ?? "not a libpq connection string")")
        }
    }
}
