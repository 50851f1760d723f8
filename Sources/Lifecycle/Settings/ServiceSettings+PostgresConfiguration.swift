public import Observability
public import Postgres

extension ServiceSettings.Database {
    /// The connection configuration these settings describe, with the URL and password read at startup.
    ///
    /// - Throws: ``PostgresError`` when libpq rejects the URL (settings validation has already reported that).
    public func postgresConfiguration() throws(PostgresError) -> PostgresConfiguration {
        try postgresConfiguration(url: url.value, password: password?.value)
    }

    /// Where the pool gets each new connection's configuration: the current contents of `DATABASE_URL_FILE` and
    /// `DATABASE_PASSWORD_FILE`, so a rotated Secret reaches new connections without a restart (open ones keep theirs).
    ///
    /// A file that changes into something unusable is logged to `logger` once, at `error`, and its last good contents
    /// stay in use. Without `_FILE` settings the configuration is fixed.
    public func configurationSource(logger: Logger) throws(PostgresError) -> PostgresConfigurationSource {
        let initial = try postgresConfiguration()
        let settings = self
        let urlFile = url.path.map { path in
            ReloadingSecretFile(path: path, variable: "DATABASE_URL_FILE", text: url.value, value: initial, logger: logger) { text in
                Self.connectionString(text, path: path).flatMap { _ in
                    Result { () throws(PostgresError) in try settings.postgresConfiguration(url: text, password: nil) }
                        .mapError { ParseFailure($0.summary ?? "rejected by libpq") }
                }
            }
        }
        let passwordFile = password.flatMap { password in
            password.path.map { path in
                ReloadingSecretFile(
                    path: path, variable: "DATABASE_PASSWORD_FILE", text: password.value, value: password.value, logger: logger
                ) { .success($0) }
            }
        }
        guard urlFile != nil || passwordFile != nil else { return .fixed(initial) }
        return PostgresConfigurationSource {
            var configuration = urlFile?.current ?? initial
            if let passwordFile { configuration.password = passwordFile.current }
            return configuration
        }
    }

    private func postgresConfiguration(url: String, password: String?) throws(PostgresError) -> PostgresConfiguration {
        try PostgresConfiguration(
            url: url, password: password, applicationName: applicationName, connectTimeout: connectTimeout,
            statementTimeout: statementTimeout, preparedStatements: preparedStatements,
            settingName: self.url.path == nil ? "DATABASE_URL" : "DATABASE_URL_FILE"
        )
    }
}
