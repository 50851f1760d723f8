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
