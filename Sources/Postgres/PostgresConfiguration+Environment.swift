extension PostgresConfiguration {
    /// Reads the database settings of the service's contract from `environment`.
    ///
    /// - `DATABASE_URL` (string, required): libpq URI or keyword/value string. Resolve `DATABASE_URL_FILE`
    ///   into this key before calling.
    /// - `DB_CONNECT_TIMEOUT_SECONDS` (number, default 5), `DB_STATEMENT_TIMEOUT_MS` (int, default 0 = off),
    ///   `DB_APPLICATION_NAME` (default `service`), `DB_PREPARED_STATEMENTS` (bool, default true; false behind
    ///   PgBouncer in transaction mode).
    ///
    /// - Parameter password: The contents of `DATABASE_PASSWORD_FILE`, if set (secret; overrides the URL's).
    /// - Throws: ``PostgresError/Code/invalidConfiguration`` naming the variable, never echoing a secret.
    public init(environment: [String: String], password: String? = nil) throws(PostgresError) {
        guard let url = environment["DATABASE_URL"], !url.isEmpty else {
            throw PostgresError(.invalidConfiguration, summary: "DATABASE_URL (or DATABASE_URL_FILE) is not set")
        }
        let statementTimeout = try EnvironmentValue.integer(
            "DB_STATEMENT_TIMEOUT_MS", in: environment, default: 0, minimum: 0)
        try self.init(
            url: url,
            password: password,
            applicationName: environment["DB_APPLICATION_NAME"].flatMap { $0.isEmpty ? nil : $0 } ?? "service",
            connectTimeout: try EnvironmentValue.seconds("DB_CONNECT_TIMEOUT_SECONDS", in: environment, default: 5),
            statementTimeout: statementTimeout > 0 ? .milliseconds(statementTimeout) : nil,
            preparedStatements: try EnvironmentValue.boolean("DB_PREPARED_STATEMENTS", in: environment, default: true)
        )
    }
}

extension PostgresPoolConfiguration {
    /// Reads the pool settings of the service's contract from `environment`.
    ///
    /// - `DB_POOL_MIN` (int, default 1), `DB_POOL_MAX` (int, default 10), `DB_ACQUIRE_TIMEOUT_SECONDS`
    ///   (number, default 2), `DB_IDLE_TIMEOUT_SECONDS` (number, default 300), `DB_MAX_LIFETIME_SECONDS`
    ///   (number, default 1800).
    ///
    /// - Throws: ``PostgresError/Code/invalidConfiguration`` naming the variable.
    public init(environment: [String: String]) throws(PostgresError) {
        let minimum = try EnvironmentValue.integer("DB_POOL_MIN", in: environment, default: 1, minimum: 0)
        let maximum = try EnvironmentValue.integer("DB_POOL_MAX", in: environment, default: 10, minimum: 1)
        guard minimum <= maximum else {
            throw PostgresError(
                .invalidConfiguration, summary: "DB_POOL_MIN (\(minimum)) exceeds DB_POOL_MAX (\(maximum))")
        }
        self.init(
            minimumConnections: minimum,
            maximumConnections: maximum,
            acquireTimeout: try EnvironmentValue.seconds("DB_ACQUIRE_TIMEOUT_SECONDS", in: environment, default: 2),
            idleTimeout: try EnvironmentValue.seconds("DB_IDLE_TIMEOUT_SECONDS", in: environment, default: 300),
            maximumLifetime: try EnvironmentValue.seconds("DB_MAX_LIFETIME_SECONDS", in: environment, default: 1800)
        )
    }
}

/// Parses one setting, naming it in the error.
enum EnvironmentValue {
    static func integer(_ key: String, in environment: [String: String], default value: Int, minimum: Int)
        throws(PostgresError) -> Int
    {
        guard let text = environment[key], !text.isEmpty else { return value }
        guard let parsed = Int(text), parsed >= minimum else {
            throw PostgresError(
                .invalidConfiguration, summary: "\(key) must be an integer ≥ \(minimum), got \"\(text)\"")
        }
        return parsed
    }

    static func seconds(_ key: String, in environment: [String: String], default value: Double) throws(PostgresError)
        -> Duration
    {
        guard let text = environment[key], !text.isEmpty else { return .milliseconds(Int64(value * 1000)) }
        guard let parsed = Double(text), parsed > 0, parsed.isFinite else {
            throw PostgresError(
                .invalidConfiguration, summary: "\(key) must be a positive number of seconds, got \"\(text)\"")
        }
        return .milliseconds(Int64(parsed * 1000))
    }

    static func boolean(_ key: String, in environment: [String: String], default value: Bool) throws(PostgresError)
        -> Bool
    {
        guard let text = environment[key], !text.isEmpty else { return value }
        switch text.lowercased() {
        case "true", "1", "yes", "on": return true
        case "false", "0", "no", "off": return false
        default: throw PostgresError(.invalidConfiguration, summary: "\(key) must be true or false, got \"\(text)\"")
        }
    }
}
