import CLibPQ
import Glibc
import Lifecycle
import Observability
import TestSupport
import Testing

/// A valid URL for tests that are about something else.
private let databaseURL = "postgres://app@db:5432/app"

/// The problems `environment` produces (plus a valid DATABASE_URL unless it sets one), or [] when it loads.
private func problems(_ environment: [String: String]) -> [SettingsError.Problem] {
    var values = environment
    if values["DATABASE_URL"] == nil && values["DATABASE_URL_FILE"] == nil { values["DATABASE_URL"] = databaseURL }
    do {
        _ = try ServiceSettings.load(from: Environment(values))
        return []
    } catch {
        return error.problems
    }
}

private func load(_ environment: [String: String]) throws -> ServiceSettings {
    var values = environment
    if values["DATABASE_URL"] == nil && values["DATABASE_URL_FILE"] == nil { values["DATABASE_URL"] = databaseURL }
    return try ServiceSettings.load(from: Environment(values))
}

/// What `check-config` shows for `environment` (plus a valid DATABASE_URL unless it sets one): every variable read,
/// in reading order, with the value the reader recorded, whether or not the settings load.
private func shown(_ environment: [String: String]) -> [(name: String, value: String)] {
    var values = environment
    if values["DATABASE_URL"] == nil && values["DATABASE_URL_FILE"] == nil { values["DATABASE_URL"] = databaseURL }
    var reader = SettingsReader(Environment(values))
    _ = ServiceSettings(reader: &reader)
    return reader.variables.map { ($0.name, $0.value) }
}

/// ``shown(_:)`` as `check-config` prints it: `NAME=value` lines.
private func printed(_ environment: [String: String]) -> String {
    shown(environment).map { "\($0.name)=\($0.value)" }.joined(separator: "\n")
}

/// ``shown(_:)`` by name.
private func shownByName(_ environment: [String: String]) -> [String: String] {
    Dictionary(uniqueKeysWithValues: shown(environment).map { ($0.name, $0.value) })
}

@Suite struct SettingsTests {
    // MARK: defaults

    @Test func defaultsMatchTheContract() throws {
        let settings = try load([:])
        #expect(settings.http.host == "::")
        #expect(settings.http.port == 8080)
        #expect(settings.http.maxHeaderBytes == 16384)
        #expect(settings.http.maxHeaderCount == 1000)
        #expect(settings.http.maxFieldLineBytes == 8192)
        #expect(settings.http.maxTargetBytes == 8192)
        #expect(settings.http.maxBodyBytes == 1_048_576)
        #expect(settings.http.maxConnections == 10000)
        #expect(settings.http.headerTimeout == .seconds(10))
        #expect(settings.http.bodyTimeout == .seconds(30))
        #expect(settings.http.idleTimeout == .seconds(75))
        #expect(settings.http.writeTimeout == .seconds(30))
        #expect(settings.http.handlerTimeout == .seconds(30))
        #expect(settings.admin.host == "::")
        #expect(settings.admin.port == 8081)
        #expect(settings.ioThreads == 0)
        #expect(settings.lifespan.shutdownDelay == .seconds(5))
        #expect(settings.lifespan.drainTimeout == .seconds(20))
        #expect(settings.lifespan.shutdownHookTimeout == .seconds(5))
        #expect(settings.lifespan.terminationGracePeriod == nil)
        #expect(settings.lifespan.startupDeadline == .seconds(60))
        #expect(settings.health.readinessCheckInterval == .seconds(2))
        #expect(settings.health.readinessCheckTimeout == .seconds(1))
        #expect(settings.health.livenessStall == .seconds(5))
        #expect(settings.health.poolWedge == .seconds(120))
        #expect(settings.database.url.value == databaseURL)
        #expect(settings.database.url.path == nil)
        #expect(settings.database.password == nil)
        #expect(settings.database.poolMin == 1)
        #expect(settings.database.poolMax == 10)
        #expect(settings.database.connectTimeout == .seconds(5))
        #expect(settings.database.acquireTimeout == .seconds(2))
        #expect(settings.database.statementTimeout == nil)
        #expect(settings.database.idleTimeout == .seconds(300))
        #expect(settings.database.maxLifetime == .seconds(1800))
        #expect(settings.database.applicationName == "service")
        #expect(settings.database.preparedStatements == true)
        #expect(settings.logging.level == .info)
        #expect(settings.logging.accessLog == true)
        #expect(settings.logging.requestMetrics == true)
        #expect(settings.enableTestHooks == false)
        #expect(ServiceSettings.margin == .seconds(2))
        #expect(settings.requiredGracePeriod == .seconds(32))
    }

    @Test func defaultsAgreeWithTheMemberwiseDefaults() throws {
        let loaded = try load([:])
        #expect(loaded == ServiceSettings(database: .init(url: Secret(databaseURL))))
    }

    @Test func valuesAreParsed() throws {
        let settings = try load([
            "HTTP_HOST": "::", "HTTP_PORT": "0", "ADMIN_PORT": "0", "HTTP_IDLE_TIMEOUT_SECONDS": "0.25",
            "HTTP_HANDLER_TIMEOUT_SECONDS": "1.000000001", "DB_STATEMENT_TIMEOUT_MS": "1500", "LOG_LEVEL": "debug",
            "ACCESS_LOG": "no", "REQUEST_METRICS": "false", "ENABLE_TEST_HOOKS": "YES", "DB_PREPARED_STATEMENTS": "0", "IO_THREADS": "3",
            "TERMINATION_GRACE_PERIOD_SECONDS": "45", "SHUTDOWN_DELAY_SECONDS": "0", "DB_POOL_MIN": "0", "DB_POOL_MAX": "1",
        ])
        #expect(settings.http.host == "::")
        #expect(settings.http.port == 0 && settings.admin.port == 0)
        #expect(settings.http.idleTimeout == .milliseconds(250))
        #expect(settings.http.handlerTimeout == .seconds(1) + .nanoseconds(1))
        #expect(settings.database.statementTimeout == .milliseconds(1500))
        #expect(settings.logging.level == .debug)
        #expect(settings.logging.accessLog == false)
        #expect(settings.logging.requestMetrics == false)
        #expect(settings.enableTestHooks == true)
        #expect(settings.database.preparedStatements == false)
        #expect(settings.ioThreads == 3)
        #expect(settings.lifespan.terminationGracePeriod == .seconds(45))
        #expect(settings.lifespan.shutdownDelay == .zero)
        #expect(settings.database.poolMin == 0 && settings.database.poolMax == 1)
    }

    @Test(arguments: [("true", true), ("1", true), ("yes", true), ("True", true), ("false", false), ("0", false), ("no", false), ("NO", false)])
    func booleans(text: String, expected: Bool) throws {
        #expect(try load(["ACCESS_LOG": text]).logging.accessLog == expected)
    }

    // MARK: problems

    @Test(arguments: [
        ("HTTP_PORT", "x"), ("HTTP_PORT", "70000"), ("HTTP_PORT", "-1"), ("HTTP_PORT", "80 "), ("ADMIN_PORT", "65536"),
        ("HTTP_MAX_HEADER_BYTES", "10"), ("HTTP_MAX_HEADER_COUNT", "0"), ("HTTP_MAX_FIELD_LINE_BYTES", "255"),
        ("HTTP_MAX_TARGET_BYTES", "big"),
        ("HTTP_MAX_BODY_BYTES", "-1"), ("HTTP_MAX_CONNECTIONS", "0"), ("HTTP_HEADER_TIMEOUT_SECONDS", "0"),
        ("HTTP_BODY_TIMEOUT_SECONDS", "-1"), ("HTTP_IDLE_TIMEOUT_SECONDS", "1e3"), ("HTTP_WRITE_TIMEOUT_SECONDS", "1."),
        ("HTTP_HANDLER_TIMEOUT_SECONDS", ".5"), ("IO_THREADS", "-1"), ("SHUTDOWN_DELAY_SECONDS", "5s"),
        ("DRAIN_TIMEOUT_SECONDS", "1.0000000001"), ("SHUTDOWN_HOOK_TIMEOUT_SECONDS", "99999999"),
        ("TERMINATION_GRACE_PERIOD_SECONDS", "thirty"), ("STARTUP_DEADLINE_SECONDS", "0"),
        ("READINESS_CHECK_INTERVAL_SECONDS", "0.0"), ("READINESS_CHECK_TIMEOUT_SECONDS", "+1"), ("LIVENESS_STALL_SECONDS", "0"),
        ("POOL_WEDGE_SECONDS", "two minutes"), ("DB_POOL_MIN", "-1"), ("DB_POOL_MAX", "0"), ("DB_CONNECT_TIMEOUT_SECONDS", "0"),
        ("DB_ACQUIRE_TIMEOUT_SECONDS", "x"), ("DB_STATEMENT_TIMEOUT_MS", "-5"), ("DB_STATEMENT_TIMEOUT_MS", "2147483648"),
        ("DB_IDLE_TIMEOUT_SECONDS", "0"), ("DB_MAX_LIFETIME_SECONDS", "∞"), ("DB_PREPARED_STATEMENTS", "off"),
        ("LOG_LEVEL", "verbose"), ("LOG_LEVEL", "INFO"), ("ACCESS_LOG", "maybe"), ("REQUEST_METRICS", "sometimes"), ("ENABLE_TEST_HOOKS", "2"),
    ])
    func badValueIsReportedUnderItsName(variable: String, value: String) {
        let found = problems([variable: value])
        #expect(found.map(\.variable) == [variable])
        #expect(found.first?.code == .invalidValue)
    }

    @Test func everyNonSecretVariableRefusesAnEmptyValue() {
        let variables = ServiceSettings.variables.filter { !$0.isSecret }
        #expect(variables.count == 38)
        for variable in variables {
            let hint = variable.defaultValue.isEmpty ? "" : " \(variable.defaultValue)"
            #expect(problems([variable.name: ""]).map(\.description) == ["\(variable.name): must not be empty (unset it for the default\(hint))"])
        }
    }

    @Test func messagesSayWhy() {
        #expect(problems(["HTTP_PORT": "70000"]).map(\.description) == ["HTTP_PORT: 70000 is out of range (0...65535)"])
        #expect(
            problems(["LOG_LEVEL": "verbose"]).map(\.description) == [
                "LOG_LEVEL: \"verbose\" is not one of trace, debug, info, notice, warning, error, critical"
            ])
        #expect(
            problems(["ACCESS_LOG": "maybe"]).map(\.description) == [
                "ACCESS_LOG: \"maybe\" is not a boolean (true/false, 1/0, yes/no)"
            ])
        #expect(
            problems(["DRAIN_TIMEOUT_SECONDS": "-3"]).map(\.description) == [
                "DRAIN_TIMEOUT_SECONDS: \"-3\" is not a non-negative number of seconds (like 5 or 0.5)"
            ])
        #expect(problems(["LIVENESS_STALL_SECONDS": "0"]).map(\.description) == ["LIVENESS_STALL_SECONDS: must be more than 0"])
    }

    @Test func allProblemsAreReportedAtOnce() {
        do {
            _ = try ServiceSettings.load(
                from: Environment([
                    "HTTP_PORT": "x", "LOG_LEVEL": "loud", "DATABASE_URL": "", "DB_POOL_MAX": "0", "ACCESS_LOG": "sometimes",
                ]))
            Issue.record("loaded despite five bad values")
        } catch {
            #expect(error.problems.map(\.variable) == ["HTTP_PORT", "DATABASE_URL", "DB_POOL_MAX", "LOG_LEVEL", "ACCESS_LOG"])
            let lines = error.description.split(separator: "\n")
            #expect(lines.count == 5)
            #expect(lines.contains("DATABASE_URL: must not be empty"))
        }
    }

    @Test func portsMustDifferUnlessBothAreZero() {
        #expect(problems(["HTTP_PORT": "9000", "ADMIN_PORT": "9000"]).map(\.variable) == ["ADMIN_PORT"])
        #expect(problems(["ADMIN_PORT": "8080"]).first?.code == .inconsistent)
        #expect(problems(["HTTP_PORT": "0", "ADMIN_PORT": "0"]).isEmpty)
        #expect(problems(["HTTP_PORT": "0"]).isEmpty)
    }

    @Test func poolBounds() {
        #expect(problems(["DB_POOL_MIN": "11"]).map(\.description) == ["DB_POOL_MIN: 11 exceeds DB_POOL_MAX 10"])
        #expect(problems(["DB_POOL_MIN": "5", "DB_POOL_MAX": "5"]).isEmpty)
        // A bad DB_POOL_MAX is reported once, not again as a bound violation against its fallback.
        #expect(problems(["DB_POOL_MIN": "11", "DB_POOL_MAX": "none"]).map(\.variable) == ["DB_POOL_MAX"])
    }

    // MARK: shutdown budget

    @Test func gracePeriodTooShortShowsTheArithmetic() {
        #expect(
            problems(["TERMINATION_GRACE_PERIOD_SECONDS": "30"]).map(\.description) == [
                "TERMINATION_GRACE_PERIOD_SECONDS: 30 s is too short for the shutdown: SHUTDOWN_DELAY_SECONDS 5 + "
                    + "DRAIN_TIMEOUT_SECONDS 20 + SHUTDOWN_HOOK_TIMEOUT_SECONDS 5 + margin 2 = 32 s; "
                    + "raise terminationGracePeriodSeconds or lower the timeouts"
            ])
        #expect(problems(["TERMINATION_GRACE_PERIOD_SECONDS": "32"]).isEmpty)
        #expect(problems(["TERMINATION_GRACE_PERIOD_SECONDS": "31.999"]).map(\.variable) == ["TERMINATION_GRACE_PERIOD_SECONDS"])
    }

    @Test func gracePeriodArithmeticWithFractions() throws {
        let environment = ["SHUTDOWN_DELAY_SECONDS": "0.5", "DRAIN_TIMEOUT_SECONDS": "10", "SHUTDOWN_HOOK_TIMEOUT_SECONDS": "3"]
        #expect(try load(environment).requiredGracePeriod == .milliseconds(15500))
        let message = problems(environment.merging(["TERMINATION_GRACE_PERIOD_SECONDS": "15"]) { $1 }).first?.message
        #expect(
            message?.contains("SHUTDOWN_DELAY_SECONDS 0.5 + DRAIN_TIMEOUT_SECONDS 10 + SHUTDOWN_HOOK_TIMEOUT_SECONDS 3 + margin 2 = 15.5 s") == true)
        #expect(problems(environment.merging(["TERMINATION_GRACE_PERIOD_SECONDS": "16"]) { $1 }).isEmpty)
    }

    @Test func budgetIsNotCheckedAgainstAFallbackValue() {
        #expect(problems(["TERMINATION_GRACE_PERIOD_SECONDS": "10", "DRAIN_TIMEOUT_SECONDS": "x"]).map(\.variable) == ["DRAIN_TIMEOUT_SECONDS"])
    }

    // MARK: DATABASE_URL

    @Test func databaseURLIsRequired() {
        do {
            _ = try ServiceSettings.load(from: Environment([:]))
            Issue.record("loaded without DATABASE_URL")
        } catch {
            #expect(error.problems.map(\.variable) == ["DATABASE_URL"])
            #expect(error.problems.first?.code == .missing)
        }
        #expect(problems(["DATABASE_URL": ""]).map(\.description) == ["DATABASE_URL: must not be empty"])
    }

    @Test(arguments: [
        "postgres://app@db/app",
        "postgresql://db",
        "postgresql:///app?host=/var/run/postgresql",
        "postgresql://u:p%40ss@[::1]:5432,replica:5433/app?sslmode=verify-full&application_name=x&target_session_attrs=Read-Write",
        "postgres://db/app?ssl=true&connect_timeout=10",
        "postgres://@db",
        "host=db port=5432 dbname=app user=app password='se cret' sslmode=require",
        "  host = db   dbname=app  ",
        "host=db password=a\\ b options='-c statement_timeout=5000'",
        "host=db,replica port=5432,5433 password='it\\'s'dbname=app",
        "service=mine",
    ])
    func acceptedConnectionStrings(url: String) {
        #expect(problems(["DATABASE_URL": url]).isEmpty)
    }

    @Test(arguments: [
        "postgres://db/app?foo=bar", "postgres://[::1/app", "postgres://[]/app", "postgres://[::1]x/app", "postgres://db/app?sslmode",
        "postgres://db/app?a=b=c", "postgres://db/a%zz", "postgres://db/a%00", "postgres://db/app?ssl=yes", "mysql://db/app", "mydb",
        "=db", "host=db dbnam=app", "host=db password='open", "host db", "Postgres://db/app",
    ])
    func rejectedConnectionStrings(url: String) {
        let found = problems(["DATABASE_URL": url])
        #expect(found.map(\.variable) == ["DATABASE_URL"])
        #expect(found.first?.code == .invalidValue)
    }

    @Test func libpqsOwnMessageIsShown() {
        #expect(
            problems(["DATABASE_URL": "host=db dbnam=app"]).map(\.description) == [
                "DATABASE_URL: is not a libpq connection string: invalid connection option \"dbnam\""
            ])
        #expect(
            problems(["DATABASE_URL": "postgres://db/app?sslmod=require"]).map(\.description) == [
                "DATABASE_URL: is not a libpq connection string: invalid URI query parameter: \"sslmod\""
            ])
        #expect(
            problems(["DATABASE_URL": "host=db password='open"]).map(\.description) == [
                "DATABASE_URL: is not a libpq connection string: unterminated quoted string in connection info string"
            ])
    }

    /// libpq checks values (ports, `sslmode`, ...) when it connects, and its message then names them; settings accept
    /// whatever its parser accepts, so a newer libpq's values need no change here.
    @Test(arguments: ["postgres://db:abc/app", "postgres://db/app?sslmode=sometimes", "host=db sslmode=on", "host=db port=5432,", "postgres://"])
    func valuesAreLeftToLibpqsConnect(url: String) {
        #expect(problems(["DATABASE_URL": url]).isEmpty)
    }

    /// Every keyword the linked libpq knows is accepted, whatever its version (libpq 16 added `require_auth` and
    /// `load_balance_hosts`, 17 `sslnegotiation`); one it does not know is refused with its message.
    @Test func keywordsAreTheLinkedLibpqs() {
        for (keyword, version) in [("require_auth", 160000), ("load_balance_hosts", 160000), ("sslnegotiation", 170000)] {
            let found = problems(["DATABASE_URL": "host=db \(keyword)=x"])
            let known = PQlibVersion() >= version
            #expect(found.map(\.description) == (known ? [] : ["DATABASE_URL: is not a libpq connection string: invalid connection option \"\(keyword)\""]))
        }
        #expect(problems(["DATABASE_URL": "host=db target_session_attrs=read-write tcp_user_timeout=100 sslcrldir=/x"]).isEmpty)
    }

    @Test func connectionStringProblemsNeverQuoteThePassword() {
        let cases = [
            "host=db password=hunter2 trailing", "host=db password=hunter2 hunter3=x", "postgres://u:hunter2@db:hunter3/app?x",
            "postgres://u:hunter2@db/app?hunter3=1", "host=db password='hunter2", "hunter2", "postgres://u:hunter2@[::1/app",
            "postgres://u:hunter2@[::1]x/app", "postgres://u:hun%zzter2@db/app", "postgres://u:hunter2%00@db/app",
            "host=db password=correct hunter2", "postgres://u:hun\"ter2@[::1/app", "postgres://u:hunter2@[]/app",
        ]
        for url in cases {
            let found = problems(["DATABASE_URL": url])
            #expect(!found.isEmpty, "\(url)")
            for problem in found {
                #expect(!problem.description.contains("hunter2") && !problem.description.contains("ter2"), "\(problem)")
            }
        }
    }

    // MARK: _FILE

    @Test func databaseURLFromFileLosesOneTrailingNewline() throws {
        let file = TemporaryFile("host=db dbname=app\n\n")
        let settings = try load(["DATABASE_URL_FILE": file.path])
        #expect(settings.database.url.value == "host=db dbname=app\n")
        #expect(settings.database.url.path == file.path)
        let crlf = TemporaryFile("postgres://app@db/app\r\n")
        let bare = TemporaryFile("postgres://app@db/app")
        // Kept alive across `load`: a TemporaryFile deletes its file when released, possibly right after `.path`.
        defer { withExtendedLifetime((crlf, bare)) {} }
        #expect(try load(["DATABASE_URL_FILE": crlf.path]).database.url.value == "postgres://app@db/app")
        #expect(try load(["DATABASE_URL_FILE": bare.path]).database.url.value == "postgres://app@db/app")
    }

    @Test func bothValueAndFileIsAConflict() {
        let file = TemporaryFile(databaseURL)
        let found = problems(["DATABASE_URL": databaseURL, "DATABASE_URL_FILE": file.path])
        #expect(found.map(\.description) == ["DATABASE_URL: set either DATABASE_URL or DATABASE_URL_FILE, not both"])
        #expect(found.first?.code == .conflict)
    }

    @Test func unreadableFileNamesTheVariableAndPath() {
        let missing = "/nonexistent/settings-test/url"
        #expect(
            problems(["DATABASE_URL_FILE": missing]).map(\.description) == [
                "DATABASE_URL_FILE: cannot read \(missing): No such file or directory"
            ])
        #expect(problems(["DATABASE_URL_FILE": "/tmp"]).map(\.description) == ["DATABASE_URL_FILE: cannot read /tmp: Is a directory"])
        #expect(problems(["DATABASE_URL_FILE": ""]).map(\.variable) == ["DATABASE_URL_FILE"])
        #expect(problems(["DATABASE_PASSWORD_FILE": missing]).map(\.variable) == ["DATABASE_PASSWORD_FILE"])
        #expect(problems(["DATABASE_PASSWORD_FILE": missing]).first?.code == .unreadableFile)
    }

    @Test func emptyFileIsAProblem() {
        for contents in ["", "\n", "\r\n"] {
            let file = TemporaryFile(contents)
            #expect(problems(["DATABASE_URL_FILE": file.path]).map(\.description) == ["DATABASE_URL_FILE: file \(file.path) is empty"])
        }
    }

    @Test func badURLInFileNamesTheFileNotItsContents() {
        let file = TemporaryFile("postgres://u:hunter2@[::1/app\n")
        let found = problems(["DATABASE_URL_FILE": file.path])
        #expect(found.map(\.variable) == ["DATABASE_URL_FILE"])
        #expect(found.first?.message.contains(file.path) == true)
        #expect(found.first?.message.contains("hunter2") == false)
    }

    @Test func passwordOnlyInPasswordFile() throws {
        let file = TemporaryFile("s3cr3t-pw\n")
        let environment = ["DATABASE_URL": "postgres://app@db:5432/app", "DATABASE_PASSWORD_FILE": file.path]
        let settings = try load(environment)
        #expect(settings.database.password?.value == "s3cr3t-pw")
        #expect(settings.database.password?.path == file.path)
        let shown = shownByName(environment)
        #expect(shown["DATABASE_URL"] == "postgres://app@db:5432/app")
        #expect(shown["DATABASE_PASSWORD_FILE"] == file.path)
        #expect(!printed(environment).contains("s3cr3t"))
        #expect(!"\(settings)".contains("s3cr3t"))
    }

    // MARK: redaction

    @Test func uriPasswordIsRedacted() throws {
        let environment = ["DATABASE_URL": "postgres://user:secret@db:5432/app?sslmode=require&password=other&sslpassword=keypass"]
        let settings = try load(environment)
        let shown = shownByName(environment)
        #expect(shown["DATABASE_URL"] == "user=user password=*** dbname=app host=db port=5432 sslmode=require sslpassword=***")
        #expect(shown["DATABASE_URL_FILE"] == "(unset)")
        for text in [printed(environment), "\(settings)", String(reflecting: settings)] {
            #expect(!text.contains("secret") && !text.contains("other") && !text.contains("keypass"))
        }
    }

    @Test func keywordPasswordIsRedacted() throws {
        let environment = ["DATABASE_URL": "host=db password='se cret' dbname=app sslpassword=k\\ ey"]
        _ = try load(environment)
        #expect(shownByName(environment)["DATABASE_URL"] == "password=*** dbname=app host=db sslpassword=***")
        #expect(!printed(environment).contains("cret"))
        #expect(!printed(environment).contains("ey"))
    }

    @Test func fileVariantShowsThePath() throws {
        let file = TemporaryFile("postgres://app:topsecret@db/app\n")
        let environment = ["DATABASE_URL_FILE": file.path]
        _ = try load(environment)
        #expect(printed(environment).contains("DATABASE_URL_FILE=\(file.path)\n"))
        #expect(printed(environment).contains("DATABASE_URL=user=app password=*** dbname=app host=db\n"))
        #expect(!printed(environment).contains("topsecret"))
    }

    @Test func unparsableURLIsRedactedWhole() {
        #expect(shownByName(["DATABASE_URL": "host=db password='open"])["DATABASE_URL"] == "***")
    }

    @Test func secretNeverPrints() {
        let secret = Secret("hunter2", path: "/run/secrets/pw")
        #expect("\(secret)" == "***")
        #expect(String(reflecting: secret) == "***")
        var dumped = ""
        dump(secret, to: &dumped)
        #expect(!dumped.contains("hunter2"))
    }

    @Test func effectiveConfigurationListsEveryVariableInOrder() throws {
        let environment = ["TERMINATION_GRACE_PERIOD_SECONDS": "40", "HTTP_IDLE_TIMEOUT_SECONDS": "0.5"]
        _ = try load(environment)
        #expect(shown(environment).map(\.name) == ServiceSettings.variables.map(\.name))
        #expect(printed(environment).contains("TERMINATION_GRACE_PERIOD_SECONDS=40\n"))
        #expect(printed(environment).contains("HTTP_IDLE_TIMEOUT_SECONDS=0.5\n"))
        #expect(printed(environment).contains("DB_STATEMENT_TIMEOUT_MS=0\n"))
        #expect(printed(environment).hasSuffix("ENABLE_TEST_HOOKS=false"))
    }

    @Test func effectiveConfigurationLoadsBackToTheSameSettings() throws {
        let given = ["DB_STATEMENT_TIMEOUT_MS": "250", "TERMINATION_GRACE_PERIOD_SECONDS": "60", "LOG_LEVEL": "error"]
        let settings = try load(given)
        var environment: [String: String] = [:]
        for (name, value) in shown(given) where value != "(unset)" { environment[name] = value }
        #expect(try ServiceSettings.load(from: Environment(environment)) == settings)
    }

    @Test func appSettingsShareTheReader() {
        enum Color: String, CaseIterable, Sendable { case red, green }
        var reader = SettingsReader(["HTTP_PORT": "x", "COLOR": "blue", "GREETING": "hi", "API_TOKEN": "t0ken"])
        _ = ServiceSettings(reader: &reader)
        #expect(reader.enum("COLOR", default: Color.red, doc: "A color.") == .red)
        #expect(reader.string("GREETING", default: "hello", doc: "Greeting.") == "hi")
        #expect(reader.secret("API_TOKEN", doc: "Token.")?.value == "t0ken")
        #expect(reader.hasProblem("COLOR") && !reader.hasProblem("GREETING"))
        #expect(reader.variables.suffix(4).map(\.name) == ["COLOR", "GREETING", "API_TOKEN", "API_TOKEN_FILE"])
        #expect(reader.variables.last?.isSecret == true)
        do {
            try reader.throwIfProblems()
            Issue.record("no error")
        } catch {
            #expect(
                error.problems.map(\.description) == [
                    "HTTP_PORT: \"x\" is not an integer", "DATABASE_URL: is required (set DATABASE_URL or DATABASE_URL_FILE)",
                    "COLOR: \"blue\" is not one of red, green",
                ])
        }
    }

    @Test func processEnvironmentIsRead() throws {
        let path = String(cString: try #require(getenv("PATH")))
        #expect(Environment.process()["PATH"] == path)
    }
}
