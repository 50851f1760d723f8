import Testing

@testable import Postgres

@Suite struct PostgresConfigurationTests {
    @Test func parsesURIAndRedactsPassword() throws {
        let configuration = try PostgresConfiguration(
            url: "postgresql://app:s3cret@db.example:6432/orders?sslmode=require")
        #expect(configuration.parameter("host") == "db.example")
        #expect(configuration.parameter("port") == "6432")
        #expect(configuration.parameter("dbname") == "orders")
        #expect(configuration.parameter("sslmode") == "require")
        #expect(!configuration.redactedDescription.contains("s3cret"))
        #expect(configuration.redactedDescription.contains("password=***"))
    }

    @Test func parsesKeywordValueString() throws {
        let configuration = try PostgresConfiguration(
            url: "host=/tmp user=app password='a b' target_session_attrs=read-write")
        #expect(configuration.parameter("target_session_attrs") == "read-write")
        #expect(configuration.parameter("password") == "a b")
        #expect(!configuration.redactedDescription.contains("a b"))
    }

    @Test func passwordOverrideReplacesURLPassword() throws {
        var configuration = try PostgresConfiguration(url: "postgresql://app:old@db/x", password: "new")
        configuration.statementTimeout = .milliseconds(1500)
        let parameters = configuration.connectParameters
        #expect(parameters.filter { $0.keyword == "password" }.map(\.value) == ["new"])
        #expect(parameters.contains { $0.keyword == "options" && $0.value == "-c statement_timeout=1500" })
        #expect(parameters.contains { $0.keyword == "fallback_application_name" && $0.value == "service" })
    }

    @Test func invalidURLNamesTheSettingAndHidesThePassword() {
        for url in ["postgresql://app:hunter2@db:notaport/x?bogus_option=1", "host=db password=hunter2 nonsense", ""] {
            let error = #expect(throws: PostgresError.self) { try PostgresConfiguration(url: url) }
            #expect(error?.code == .invalidConfiguration)
            #expect(error?.description.contains("DATABASE_URL") == true)
            #expect(error.map { String(reflecting: $0) }?.contains("hunter2") == false)
        }
    }
}

@Suite struct PostgresEnvironmentTests {
    @Test func readsTheSettingsContract() throws {
        let environment = [
            "DATABASE_URL": "postgresql://app@db/app",
            "DB_POOL_MIN": "2", "DB_POOL_MAX": "20", "DB_ACQUIRE_TIMEOUT_SECONDS": "0.5",
            "DB_STATEMENT_TIMEOUT_MS": "250", "DB_PREPARED_STATEMENTS": "false", "DB_APPLICATION_NAME": "orders",
        ]
        let configuration = try PostgresConfiguration(environment: environment, password: "from-file")
        #expect(configuration.statementTimeout == .milliseconds(250))
        #expect(configuration.preparedStatements == false)
        #expect(configuration.applicationName == "orders")
        #expect(configuration.password == "from-file")
        let pool = try PostgresPoolConfiguration(environment: environment)
        #expect(pool.minimumConnections == 2 && pool.maximumConnections == 20)
        #expect(pool.acquireTimeout == .milliseconds(500))
        #expect(try PostgresConfiguration(environment: ["DATABASE_URL": "host=db"]).statementTimeout == nil)
    }

    @Test func badValuesNameTheVariable() {
        let pool = #expect(throws: PostgresError.self) {
            try PostgresPoolConfiguration(environment: ["DB_POOL_MAX": "many"])
        }
        #expect(pool?.description.contains("DB_POOL_MAX") == true)
        let order = #expect(throws: PostgresError.self) {
            try PostgresPoolConfiguration(environment: ["DB_POOL_MIN": "5", "DB_POOL_MAX": "2"])
        }
        #expect(order?.code == .invalidConfiguration)
        let missing = #expect(throws: PostgresError.self) { try PostgresConfiguration(environment: [:]) }
        #expect(missing?.description.contains("DATABASE_URL") == true)
    }
}
