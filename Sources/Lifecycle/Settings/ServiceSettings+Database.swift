import Postgres

extension ServiceSettings {
    /// The PostgreSQL connection and its pool.
    public struct Database: Sendable, Hashable {
        /// The pool's own defaults: these settings override them.
        private static let pool = PostgresPoolConfiguration()

        /// `DATABASE_URL` or `DATABASE_URL_FILE` (secret, required): a libpq URI (`postgres://user@host:5432/db`) or
        /// keyword/value string (`host=db dbname=app`), checked by the linked libpq's parser (`PQconninfoParse`); libpq
        /// checks values such as `sslmode` when it connects. A `DATABASE_URL_FILE` is re-read when it changes.
        public var url: Secret
        /// `DATABASE_PASSWORD_FILE` (secret file): when set, its contents replace any password in
        /// ``url``, so the URL can live in a ConfigMap and only the password in a Secret. Re-read when it changes.
        public var password: Secret? = nil
        /// `DB_POOL_MIN`: connections kept open even when idle; at most `DB_POOL_MAX`.
        public var poolMin = pool.minimumConnections
        /// `DB_POOL_MAX`: most connections open at once.
        public var poolMax = pool.maximumConnections
        /// `DB_CONNECT_TIMEOUT_SECONDS`: time to open one connection.
        public var connectTimeout = PostgresConfiguration.defaultConnectTimeout
        /// `DB_ACQUIRE_TIMEOUT_SECONDS`: how long a request waits for a free connection.
        public var acquireTimeout = pool.acquireTimeout
        /// `DB_STATEMENT_TIMEOUT_MS` (0 = off): PostgreSQL's `statement_timeout`
        /// for every pooled connection.
        public var statementTimeout: Duration? = nil
        /// `DB_IDLE_TIMEOUT_SECONDS`: an idle connection above `DB_POOL_MIN` is closed after
        /// this long.
        public var idleTimeout = pool.idleTimeout
        /// `DB_MAX_LIFETIME_SECONDS`: a connection is replaced after this long, so
        /// server-side changes (failover, credentials) are picked up.
        public var maxLifetime = pool.maximumLifetime
        /// `DB_APPLICATION_NAME`: the `application_name` shown in `pg_stat_activity`.
        public var applicationName = PostgresConfiguration.defaultApplicationName
        /// `DB_PREPARED_STATEMENTS`: use named prepared statements; set false behind PgBouncer in
        /// transaction mode.
        public var preparedStatements = true

        /// Creates the defaults for the database at `url`.
        public init(url: Secret) {
            self.url = url
        }

        /// Reads the `DATABASE_*` and `DB_*` variables and checks the URL and the pool bounds.
        public init(reader: inout SettingsReader) {
            url = Secret("")
            if let secret = reader.secret("DATABASE_URL", doc: "libpq URI or keyword/value string (secret).") {
                url = secret
                switch Self.connectionString(secret.value, path: secret.path) {
                case .success(let parsed):
                    reader.show("DATABASE_URL", as: parsed.redacted)
                case .failure(let problem):
                    reader.report(secret.path == nil ? "DATABASE_URL" : "DATABASE_URL_FILE", problem.message, code: .invalidValue)
                }
            } else if !reader.hasProblem("DATABASE_URL") && !reader.hasProblem("DATABASE_URL_FILE") {
                reader.report("DATABASE_URL", "is required (set DATABASE_URL or DATABASE_URL_FILE)", code: .missing)
            }
            password = reader.secretFile("DATABASE_PASSWORD_FILE", doc: "File whose contents replace the URL's password.")
            poolMin = reader.int("DB_POOL_MIN", default: poolMin, range: 0...1000, doc: "Connections kept open when idle.")
            poolMax = reader.int("DB_POOL_MAX", default: poolMax, range: 1...1000, doc: "Most connections open at once.")
            if poolMin > poolMax, !reader.hasProblem("DB_POOL_MIN"), !reader.hasProblem("DB_POOL_MAX") {
                reader.report("DB_POOL_MIN", "\(poolMin) exceeds DB_POOL_MAX \(poolMax)")
            }
            connectTimeout = reader.seconds(
                "DB_CONNECT_TIMEOUT_SECONDS", default: connectTimeout, allowsZero: false, doc: "Time to open one connection.")
            acquireTimeout = reader.seconds(
                "DB_ACQUIRE_TIMEOUT_SECONDS", default: acquireTimeout, allowsZero: false, doc: "Wait for a free connection.")
            let statementMilliseconds = reader.int(
                "DB_STATEMENT_TIMEOUT_MS", default: 0, range: 0...Int(Int32.max), doc: "statement_timeout in ms; 0 = off.")
            statementTimeout = statementMilliseconds == 0 ? nil : .milliseconds(statementMilliseconds)
            idleTimeout = reader.seconds(
                "DB_IDLE_TIMEOUT_SECONDS", default: idleTimeout, allowsZero: false, doc: "Close idle connections above DB_POOL_MIN.")
            maxLifetime = reader.seconds(
                "DB_MAX_LIFETIME_SECONDS", default: maxLifetime, allowsZero: false, doc: "Replace connections this old.")
            applicationName = reader.string("DB_APPLICATION_NAME", default: applicationName, doc: "application_name.")
            preparedStatements = reader.bool(
                "DB_PREPARED_STATEMENTS", default: preparedStatements, doc: "Named prepared statements; false behind PgBouncer.")
        }

        /// `text` parsed by libpq, or why not, naming the file it came from and never quoting it.
        static func connectionString(_ text: String, path: String?) -> Result<PostgresConnectionString, ParseFailure> {
            do {
                return .success(try PostgresConnectionString(text))
            } catch {
                let subject = path.map { "the contents of \($0) are" } ?? "is"
                return .failure(ParseFailure("\(subject) not a libpq connection string: \(error.summary ?? "rejected by libpq")"))
            }
        }
    }
}
