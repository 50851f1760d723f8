import FoundationEssentials
import IO
import Postgres
import Testing

@Suite struct PostgresConnectionTests {
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

    @Test func reportsApplicationName() async throws {
        let connection = try await TestDatabase.connect()
        defer { connection.close() }
        let rows = try await connection.query("SELECT current_setting('application_name') AS name")
        #expect(try rows[0].decode(String.self, column: "name") == "postgres-tests")
    }
}
