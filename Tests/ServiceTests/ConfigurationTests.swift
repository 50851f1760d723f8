import FoundationEssentials
import Glibc
import TestSupport
import Testing

/// Bad settings stop the real binary before it binds or connects: exit 78 (EX_CONFIG) and a message naming the
/// variable, for `serve`, `migrate` and `check-config` alike. Secrets never reach the output.
///
/// Serialized: over a hundred short processes, one at a time, so they never crowd out the timing-sensitive tests
/// running beside them.
@Suite(.serialized) struct ConfigurationTests {
    /// One broken setting: the variable the message must name, and the environment that breaks it.
    struct BadSetting: Sendable, CustomTestStringConvertible {
        let variable: String
        let set: [String: String]
        var unset: [String] = []

        var testDescription: String {
            "\(variable): " + set.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: " ") + unset.map { " -\($0)" }.joined()
        }
    }

    static let password = "Config-Secret-7f3a"
    // Static, so the files outlive every test that names them.
    static let emptyFile = TemporaryFile("")
    static let malformedURLFile = TemporaryFile("postgres://app:\(password)@[db]x/app\n")

    /// A configuration that passes validation. The database does not exist: a case that wrongly passed validation
    /// fails fast (`STARTUP_DEADLINE_SECONDS=1`) with exit 1 instead of 78.
    static let valid = [
        "DATABASE_URL": "postgresql://app:\(password)@127.0.0.1:1/app", "HTTP_HOST": "127.0.0.1", "HTTP_PORT": "0", "ADMIN_HOST": "127.0.0.1",
        "ADMIN_PORT": "0", "STARTUP_DEADLINE_SECONDS": "1", "DB_CONNECT_TIMEOUT_SECONDS": "1",
    ]

    static let badSettings: [BadSetting] = [
        BadSetting(variable: "DATABASE_URL", set: [:], unset: ["DATABASE_URL"]),
        BadSetting(variable: "DATABASE_URL", set: ["DATABASE_URL": ""]),
        BadSetting(variable: "DATABASE_URL", set: ["DATABASE_URL": "not a connection string"]),
        // libpq's parser refuses these; its messages quote the whole URI, password included.
        BadSetting(variable: "DATABASE_URL", set: ["DATABASE_URL": "postgres://app:\(password)@[::1/app"]),
        BadSetting(variable: "DATABASE_URL", set: ["DATABASE_URL": "postgres://app:\(password)@db/app?sslmod=require"]),
        BadSetting(variable: "DATABASE_URL", set: ["DATABASE_URL_FILE": emptyFile.path]),
        BadSetting(variable: "DATABASE_URL_FILE", set: ["DATABASE_URL_FILE": "/nonexistent/database-url"], unset: ["DATABASE_URL"]),
        BadSetting(variable: "DATABASE_URL_FILE", set: ["DATABASE_URL_FILE": emptyFile.path], unset: ["DATABASE_URL"]),
        BadSetting(variable: "DATABASE_URL_FILE", set: ["DATABASE_URL_FILE": malformedURLFile.path], unset: ["DATABASE_URL"]),
        BadSetting(variable: "DATABASE_PASSWORD_FILE", set: ["DATABASE_PASSWORD_FILE": "/nonexistent/password"]),
        BadSetting(variable: "DATABASE_PASSWORD_FILE", set: ["DATABASE_PASSWORD_FILE": emptyFile.path]),
        BadSetting(variable: "HTTP_HOST", set: ["HTTP_HOST": ""]),
        BadSetting(variable: "HTTP_PORT", set: ["HTTP_PORT": "http"]),
        BadSetting(variable: "HTTP_PORT", set: ["HTTP_PORT": "65536"]),
        BadSetting(variable: "ADMIN_PORT", set: ["ADMIN_PORT": "-1"]),
        BadSetting(variable: "ADMIN_PORT", set: ["HTTP_PORT": "9000", "ADMIN_PORT": "9000"]),
        BadSetting(variable: "HTTP_MAX_BODY_BYTES", set: ["HTTP_MAX_BODY_BYTES": "-1"]),
        BadSetting(variable: "HTTP_MAX_CONNECTIONS", set: ["HTTP_MAX_CONNECTIONS": "0"]),
        BadSetting(variable: "HTTP_IDLE_TIMEOUT_SECONDS", set: ["HTTP_IDLE_TIMEOUT_SECONDS": "0"]),
        BadSetting(variable: "HTTP_HANDLER_TIMEOUT_SECONDS", set: ["HTTP_HANDLER_TIMEOUT_SECONDS": "30s"]),
        BadSetting(variable: "IO_THREADS", set: ["IO_THREADS": "two"]),
        BadSetting(variable: "SHUTDOWN_DELAY_SECONDS", set: ["SHUTDOWN_DELAY_SECONDS": "-1"]),
        BadSetting(variable: "DRAIN_TIMEOUT_SECONDS", set: ["DRAIN_TIMEOUT_SECONDS": "1e3"]),
        BadSetting(variable: "SHUTDOWN_HOOK_TIMEOUT_SECONDS", set: ["SHUTDOWN_HOOK_TIMEOUT_SECONDS": "-0.5"]),
        BadSetting(variable: "STARTUP_DEADLINE_SECONDS", set: ["STARTUP_DEADLINE_SECONDS": "0"]),
        // The defaults need 5 + 20 + 5 + 2 = 32 s.
        BadSetting(variable: "TERMINATION_GRACE_PERIOD_SECONDS", set: ["TERMINATION_GRACE_PERIOD_SECONDS": "30"]),
        BadSetting(variable: "TERMINATION_GRACE_PERIOD_SECONDS", set: ["TERMINATION_GRACE_PERIOD_SECONDS": "thirty"]),
        BadSetting(variable: "READINESS_CHECK_INTERVAL_SECONDS", set: ["READINESS_CHECK_INTERVAL_SECONDS": "0"]),
        BadSetting(variable: "READINESS_CHECK_TIMEOUT_SECONDS", set: ["READINESS_CHECK_TIMEOUT_SECONDS": "fast"]),
        BadSetting(variable: "LIVENESS_STALL_SECONDS", set: ["LIVENESS_STALL_SECONDS": "-5"]),
        BadSetting(variable: "POOL_WEDGE_SECONDS", set: ["POOL_WEDGE_SECONDS": ""]),
        BadSetting(variable: "DB_POOL_MAX", set: ["DB_POOL_MAX": "0"]),
        BadSetting(variable: "DB_POOL_MIN", set: ["DB_POOL_MIN": "11"]),
        BadSetting(variable: "DB_CONNECT_TIMEOUT_SECONDS", set: ["DB_CONNECT_TIMEOUT_SECONDS": "0"]),
        BadSetting(variable: "DB_ACQUIRE_TIMEOUT_SECONDS", set: ["DB_ACQUIRE_TIMEOUT_SECONDS": "soon"]),
        BadSetting(variable: "DB_STATEMENT_TIMEOUT_MS", set: ["DB_STATEMENT_TIMEOUT_MS": "-5"]),
        BadSetting(variable: "DB_IDLE_TIMEOUT_SECONDS", set: ["DB_IDLE_TIMEOUT_SECONDS": "0"]),
        BadSetting(variable: "DB_MAX_LIFETIME_SECONDS", set: ["DB_MAX_LIFETIME_SECONDS": "forever"]),
        BadSetting(variable: "DB_PREPARED_STATEMENTS", set: ["DB_PREPARED_STATEMENTS": "sometimes"]),
        BadSetting(variable: "LOG_LEVEL", set: ["LOG_LEVEL": "verbose"]),
        BadSetting(variable: "ACCESS_LOG", set: ["ACCESS_LOG": "maybe"]),
        BadSetting(variable: "ENABLE_TEST_HOOKS", set: ["ENABLE_TEST_HOOKS": "on"]),
    ]

    @Test(arguments: badSettings, ServiceExecutable.allCases)
    func badSettingExits78NamingIt(_ bad: BadSetting, _ executable: ServiceExecutable) async throws {
        var environment = Self.valid.merging(bad.set) { _, new in new }
        for name in bad.unset { environment[name] = nil }
        for command in [[], ["migrate"], ["check-config"]] {
            let process = try await ServiceFixture.run(executable, command, environment: environment, timeout: .seconds(10))
            let name = ([executable.rawValue] + command).joined(separator: " ")
            #expect(process.exit?.code == 78, "\(name): \(process.output)")
            // One line per problem, each starting with its variable.
            #expect(process.standardError.split(separator: "\n").contains { $0.hasPrefix("\(bad.variable): ") }, "\(name): \(process.output)")
            #expect(!process.output.contains(Self.password), "\(name) printed the password: \(process.output)")
        }
    }

    @Test(arguments: ServiceExecutable.allCases) func everyProblemIsReportedAtOnce(_ executable: ServiceExecutable) async throws {
        let environment = Self.valid.merging(["HTTP_PORT": "x", "LOG_LEVEL": "loud", "DB_POOL_MAX": "0"]) { _, new in new }
        let process = try await ServiceFixture.run(executable, [], environment: environment, timeout: .seconds(10))
        #expect(process.exit?.code == 78)
        for variable in ["HTTP_PORT", "LOG_LEVEL", "DB_POOL_MAX"] {
            #expect(process.standardError.contains("\(variable): "), "\(process.output)")
        }
    }

    /// An application's own setting is read in the same pass as the kit's: listed by `check-config`, and a bad
    /// value is one more problem reported with the others.
    @Test func applicationSettingIsListedAndValidatedWithTheKits() async throws {
        let listed = try await ServiceFixture.run(.minimal, ["check-config"], environment: Self.valid, timeout: .seconds(10))
        #expect(listed.exit?.code == 0, "\(listed.output)")
        #expect(listed.standardOutput.split(separator: "\n").contains("GREETING=hello"), "\(listed.output)")
        let bad = Self.valid.merging(["GREETING": "", "HTTP_PORT": "x"]) { _, new in new }
        let refused = try await ServiceFixture.run(.minimal, [], environment: bad, timeout: .seconds(10))
        #expect(refused.exit?.code == 78, "\(refused.output)")
        for variable in ["GREETING", "HTTP_PORT"] {
            #expect(refused.standardError.contains("\(variable): "), "\(refused.output)")
        }
    }

    /// The baseline the bad cases start from is valid: they fail for their own reason only.
    @Test func checkConfigAcceptsTheBaselineAndRedactsThePassword() async throws {
        let process = try await ServiceFixture.run(["check-config"], environment: Self.valid, timeout: .seconds(10))
        #expect(process.exit?.code == 0, "\(process.output)")
        #expect(process.standardOutput.contains("DATABASE_URL=user=app password=*** dbname=app host=127.0.0.1 port=1\n"), "\(process.output)")
        #expect(!process.output.contains(Self.password))
    }

    /// `describe` feeds the manifest checks, which have no database: it needs no URL, and still validates the rest.
    @Test func describeNeedsNoDatabaseURL() async throws {
        let described = try await ServiceFixture.run(["describe"], environment: ["HTTP_PORT": "9090"], timeout: .seconds(10))
        #expect(described.exit?.code == 0, "\(described.output)")
        #expect(described.standardOutput.contains(#""http" : 9090"#), "\(described.output)")
        #expect(described.standardOutput.contains(#""preStop" : "/prestop""#), "\(described.output)")
        let invalid = try await ServiceFixture.run(["describe"], environment: ["HTTP_PORT": "x"], timeout: .seconds(10))
        #expect(invalid.exit?.code == 78 && invalid.output.contains("HTTP_PORT"), "\(invalid.output)")
    }

    /// `make lint` without a binary checks the manifests against scripts/lint/testdata/describe.json: it must say what
    /// the binary says with no settings (every kit default included). Its routes must be routes of the binary, and its
    /// settings settings of the binary: an application adds its own to both.
    @Test func lintFixtureIsWhatTheBinaryDescribes() async throws {
        let process = try await ServiceFixture.run(["describe"], environment: [:], timeout: .seconds(10))
        #expect(process.exit?.code == 0, "\(process.output)")
        let described = try StrictJSON.parse(Array(process.standardOutput.utf8))
        let path = Shell.repositoryRoot + "/scripts/lint/testdata/describe.json"
        let fixture = try StrictJSON.parse(try Data(contentsOf: URL(filePath: path)))
        #expect(fixture.keys.sorted() == described.keys.sorted())
        for key in described.keys where key != "routes" && key != "settings" {
            #expect(fixture[key] == described[key], "\(key) differs from `service describe`: regenerate \(path)")
        }
        for name in fixture["settings"]?.keys ?? [] {
            #expect(fixture["settings"]?[name] == described["settings"]?[name], "setting \(name) differs from `service describe`")
        }
        guard case .array(let fixtureRoutes) = fixture["routes"], case .array(let describedRoutes) = described["routes"] else {
            Issue.record("routes missing")
            return
        }
        for route in fixtureRoutes { #expect(describedRoutes.contains(route), "\(route) is not a route of the binary") }
    }
}
