import FoundationEssentials
import IO
import Observability
import Postgres
import TestSupport
import Testing

@Suite(.requiresPostgreSQL) struct PostgresConnectionTests {
    @Test func selectsWithBoundParameters() async throws {
        let connection = try await TestDatabase.connect()
        defer { connection.close() }
        let rows = try await connection.query("SELECT $1::int8 + 1 AS n, $2::text AS t", 41, "hi")
        #expect(rows.count == 1)
        #expect(try rows[0].decode(Int64.self, column: "n") == 42)
        #expect(try rows[0].decode(String.self, at: 1) == "hi")
        let again = try await connection.query("SELECT $1::int8 + 1 AS n, $2::text AS t", 1, "x")
        #expect(try again[0].decode(Int.self, column: "n") == 2)
    }

    @Test func parametersAreNeverInterpolated() async throws {
        let connection = try await TestDatabase.connect()
        defer { connection.close() }
        let hostile = "x'); DROP TABLE pg_class; --"
        let rows = try await connection.query("SELECT $1::text AS t", hostile)
        #expect(try rows[0].decode(String.self, column: "t") == hostile)
    }

    @Test func reportsApplicationName() async throws {
        let connection = try await TestDatabase.connect()
        defer { connection.close() }
        let rows = try await connection.query("SELECT current_setting('application_name') AS name")
        #expect(try rows[0].decode(String.self, column: "name") == "postgres-tests")
    }

    @Test(arguments: [true, false])
    func roundTripsEveryType(preparedStatements: Bool) async throws {
        let connection = try await TestDatabase.connect(preparedStatements: preparedStatements)
        defer { connection.close() }
        let uuid = UUID()
        let date = Date(timeIntervalSince1970: 1_700_000_000.123456)
        let bytes: [UInt8] = [0, 1, 2, 255, 0x5c, 0x27]
        let numeric = PostgresNumeric("-12345678901234567890123456789012345678901234.5678900")!
        let rows = try await connection.query(
            """
            SELECT $1::int2 AS a, $2::int4 AS b, $3::int8 AS c, $4::text AS d, $5::bool AS e, $6::float8 AS f,
                   $7::float4 AS g, $8::numeric AS h, $9::timestamptz AS i, $10::uuid AS j, $11::bytea AS k,
                   $12::varchar AS l, $13::numeric AS m, ''::bytea AS n, 'NaN'::numeric AS o, '0.0001'::numeric AS p
            """,
            Int16.min, Int32.max, Int64.min, "héllo ✓", true, 0.1, Float(1.5), numeric, date, uuid, bytes, "v",
            Decimal(string: "12.50")!
        )
        let row = rows[0]
        #expect(try row.decode(Int16.self, column: "a") == .min)
        #expect(try row.decode(Int32.self, column: "b") == .max)
        #expect(try row.decode(Int64.self, column: "c") == .min)
        #expect(try row.decode(String.self, column: "d") == "héllo ✓")
        #expect(try row.decode(Bool.self, column: "e") == true)
        #expect(try row.decode(Double.self, column: "f") == 0.1)
        #expect(try row.decode(Float.self, column: "g") == 1.5)
        #expect(try row.decode(PostgresNumeric.self, column: "h") == numeric)
        let decodedDate = try row.decode(Date.self, column: "i")
        #expect(abs(decodedDate.timeIntervalSince1970 - date.timeIntervalSince1970) < 0.000_001)
        #expect(try row.decode(UUID.self, column: "j") == uuid)
        #expect(try row.decode([UInt8].self, column: "k") == bytes)
        #expect(try row.decode(String.self, column: "l") == "v")
        #expect(try row.decode(PostgresNumeric.self, column: "m").description == "12.5")
        #expect(try row.decode(Decimal.self, column: "m") == Decimal(string: "12.5"))
        #expect(try row.decode([UInt8].self, column: "n") == [])
        #expect(try row.decode(PostgresNumeric.self, column: "o").isNaN)
        #expect(try row.decode(PostgresNumeric.self, column: "p").description == "0.0001")
    }

    @Test func numericRendersLikePostgres() async throws {
        let connection = try await TestDatabase.connect()
        defer { connection.close() }
        let samples = [
            "0", "-0.5", "1", "10000", "123456789.000000001", "0.00000001", "99999999.99", "1e-20", "-1e30", "123.4500",
        ]
        for sample in samples {
            let rows = try await connection.query("SELECT $1::numeric AS binary, $1::numeric::text AS text", sample)
            let binary = try rows[0].decode(PostgresNumeric.self, column: "binary")
            #expect(binary.description == (try rows[0].decode(String.self, column: "text")), "\(sample)")
        }
    }

    @Test func timestampsAreIndependentOfSessionTimeZone() async throws {
        let connection = try await TestDatabase.connect()
        defer { connection.close() }
        try await connection.executeScript("SET TIME ZONE 'Asia/Kolkata'")
        let rows = try await connection.query(
            "SELECT '2024-02-29 12:00:00+00'::timestamptz AS t, $1::timestamptz AS u",
            Date(timeIntervalSince1970: -86_400.5))
        #expect(try rows[0].decode(Date.self, column: "t") == Date(timeIntervalSince1970: 1_709_208_000))
        #expect(try rows[0].decode(Date.self, column: "u") == Date(timeIntervalSince1970: -86_400.5))
    }

    @Test func nullsDecodeAsOptionalAndFailOtherwise() async throws {
        let connection = try await TestDatabase.connect()
        defer { connection.close() }
        let rows = try await connection.query(
            "SELECT $1::int8 AS maybe, $2::text AS other", Int64?.none, String?.some("x"))
        #expect(try rows[0].decode(Int64?.self, column: "maybe") == nil)
        #expect(try rows[0].decode(String?.self, column: "other") == "x")
        let error = #expect(throws: PostgresError.self) { try rows[0].decode(Int64.self, column: "maybe") }
        #expect(error?.code == .decoding)
        #expect(error?.description.contains("maybe") == true)
        #expect(error?.description.contains("Int64") == true)
        let mismatch = #expect(throws: PostgresError.self) { try rows[0].decode(Int.self, column: "other") }
        #expect(mismatch?.description.contains("other") == true)
        #expect(mismatch?.description.contains("text") == true)
    }

    @Test func largeResult() async throws {
        let connection = try await TestDatabase.connect()
        defer { connection.close() }
        let rows = try await connection.query(
            "SELECT g AS id, 'row ' || g AS name FROM generate_series(1, $1::int) g", 100_000)
        #expect(rows.count == 100_000)
        var sum: Int64 = 0
        for row in rows { sum += try row.decode(Int64.self, at: 0) }
        #expect(sum == 5_000_050_000)
        #expect(try rows[99_999].decode(String.self, column: "name") == "row 100000")
    }

    @Test func largeParameterIsFlushed() async throws {
        let connection = try await TestDatabase.connect()
        defer { connection.close() }
        let big = [UInt8](repeating: 7, count: 8 << 20)
        let rows = try await connection.query("SELECT length($1::bytea) AS n", big)
        #expect(try rows[0].decode(Int.self, column: "n") == big.count)
    }

    @Test func serverErrorsCarrySQLStateButNotParameters() async throws {
        let connection = try await TestDatabase.connect()
        defer { connection.close() }
        try await connection.executeScript("CREATE TEMP TABLE t (id int PRIMARY KEY, email text UNIQUE)")
        _ = try await connection.query("INSERT INTO t VALUES ($1, $2)", 1, "secret@example.com")
        let duplicate = await #expect(throws: PostgresError.self) {
            try await connection.query("INSERT INTO t VALUES ($1, $2)", 2, "secret@example.com")
        }
        #expect(duplicate?.code == .uniqueViolation)
        #expect(duplicate?.sqlState == "23505")
        #expect(duplicate?.constraint == "t_email_key")
        #expect(duplicate.map { "\($0)" }?.contains("secret") == false)
        #expect(duplicate.map { String(reflecting: $0) }?.contains("secret@example.com") == false)

        let syntax = await #expect(throws: PostgresError.self) { try await connection.query("SELEC 1") }
        #expect(syntax?.code == .syntaxError)
        // The connection is still usable after errors.
        #expect(connection.isReusable)
        #expect(try await connection.query("SELECT count(*) AS n FROM t")[0].decode(Int.self, column: "n") == 1)
    }

    @Test func transactionCommitsAndRollsBack() async throws {
        let connection = try await TestDatabase.connect()
        defer { connection.close() }
        try await connection.executeScript("CREATE TEMP TABLE accounts (id int PRIMARY KEY)")
        try await connection.withTransaction { try await $0.query("INSERT INTO accounts VALUES (1)") }
        struct Boom: Error {}
        await #expect(throws: Boom.self) {
            try await connection.withTransaction { connection in
                _ = try await connection.query("INSERT INTO accounts VALUES (2)")
                throw Boom()
            }
        }
        // A statement error swallowed inside the body still rolls back, and the caller hears about it.
        await #expect(throws: PostgresError.self) {
            try await connection.withTransaction { connection in
                _ = try await connection.query("INSERT INTO accounts VALUES (3)")
                _ = try? await connection.query("INSERT INTO accounts VALUES (1)")
            }
        }
        let ids = try await connection.query("SELECT id FROM accounts ORDER BY id").map {
            try $0.decode(Int.self, at: 0)
        }
        #expect(ids == [1])
        #expect(connection.isReusable)
    }

    @Test func cancellingTheTaskCancelsTheQuery() async throws {
        let connection = try await TestDatabase.connect()
        defer { connection.close() }
        let started = ContinuousClock.now
        let task = Task { try await connection.query("SELECT pg_sleep(30)") }
        try await Task.sleep(for: .milliseconds(200))
        task.cancel()
        let error = await #expect(throws: PostgresError.self) { try await task.value }
        #expect(error?.code == .canceled)
        #expect(ContinuousClock.now - started < .seconds(5))
        // Drained back to a clean state, and not cancelled again by a late cancel request.
        #expect(connection.isReusable)
        #expect(try await connection.query("SELECT 7 AS n")[0].decode(Int.self, column: "n") == 7)
    }

    @Test func statementTimeout() async throws {
        let connection = try await TestDatabase.connect(statementTimeout: .milliseconds(200))
        defer { connection.close() }
        let error = await #expect(throws: PostgresError.self) { try await connection.query("SELECT pg_sleep(5)") }
        #expect(error?.code == .statementTimeout)
        #expect(connection.isReusable)
    }

    @Test func connectFailureIsReportedWithoutThePassword() async throws {
        let configuration = try PostgresConfiguration(
            url: "postgresql://nobody:hunter2@127.0.0.1:1/db?sslmode=disable",
            connectTimeout: .seconds(2)
        )
        let error = await #expect(throws: PostgresError.self) {
            try await PostgresConnection.connect(configuration: configuration, loop: TestDatabase.group.next())
        }
        #expect(error?.code == .connectionFailed)
        #expect(error.map { String(reflecting: $0) }?.contains("hunter2") == false)
    }

    @Test func connectTimeout() async throws {
        // A listening socket that never answers the startup packet.
        let configuration = try PostgresConfiguration(
            url: "host=10.255.255.1 port=5432 sslmode=disable", connectTimeout: .milliseconds(300))
        let started = ContinuousClock.now
        let error = await #expect(throws: PostgresError.self) {
            try await PostgresConnection.connect(configuration: configuration, loop: TestDatabase.group.next())
        }
        #expect(error?.code == .timeout || error?.code == .connectionFailed)
        // Far below the kernel's own connect timeout (about two minutes), with room for a loaded machine.
        #expect(ContinuousClock.now - started < .seconds(5))
    }
}

@Suite(.requiresPostgreSQL) struct PreparedStatementCacheTests {
    @Test func droppedStatementsArePreparedAgain() async throws {
        let connection = try await TestDatabase.connect()
        defer { connection.close() }
        #expect(try await connection.query("SELECT $1::int4 AS n", 1)[0].decode(Int.self, at: 0) == 1)
        try await connection.executeScript("DEALLOCATE ALL")
        let error = await #expect(throws: PostgresError.self) { try await connection.query("SELECT $1::int4 AS n", 2) }
        #expect(error?.sqlState == "26000")
        #expect(try await connection.query("SELECT $1::int4 AS n", 3)[0].decode(Int.self, at: 0) == 3)
    }

    @Test func serverNoticesBecomeLogLines() async throws {
        let captured = CapturedLines()
        let sink = captured.makeSink()
        let connection = try await PostgresConnection.connect(
            configuration: try TestDatabase.configuration(), loop: TestDatabase.group.next(),
            notices: PostgresNoticeSink(logger: Logger(label: "postgres", level: .debug, sink: sink))
        )
        defer { connection.close() }
        try await connection.executeScript("DO $$ BEGIN RAISE WARNING 'careful: %', 42; END $$")
        #expect(sink.flush(timeout: .seconds(5)))
        let text = String(decoding: captured.data, as: UTF8.self)
        #expect(text.contains(#""level":"warning""#), "\(text)")
        #expect(text.contains(#""event":"db.notice""#))
        #expect(text.contains(#""severity":"WARNING""#))
        #expect(text.contains(#""detail":"careful: 42""#))
    }
}
