import Glibc
import TestSupport
import Testing

/// The `HTTP_MAX_*` settings reach the real binary's parser: each limit answers its status one byte past the value
/// and lets the request through at the value.
@Suite(.requiresPostgreSQL) struct HTTPLimitSettingsTests {
    @Test func limitSettingsGovernTheServedParser() async throws {
        let schema = try await ServiceFixture.migratedSchema("limits")
        let service = try await ServiceFixture.serve(
            ServiceFixture.environment(schema: schema, ["HTTP_MAX_FIELD_LINE_BYTES": "512", "HTTP_MAX_TARGET_BYTES": "64"])
        )
        func status(_ request: String) async throws -> Int {
            let client = try await TCPClient.connect(port: service.httpPort)
            defer { client.close() }
            return try await client.request(request).status
        }
        // "X: " and 509 bytes make a 512-byte field line.
        #expect(try await status("GET /livez HTTP/1.1\r\nHost: s\r\nX: \(String(repeating: "v", count: 509))\r\n\r\n") == 200)
        #expect(try await status("GET /livez HTTP/1.1\r\nHost: s\r\nX: \(String(repeating: "v", count: 510))\r\n\r\n") == 431)
        let target = "/livez?" + String(repeating: "q", count: 64 - 7)
        #expect(try await status("GET \(target) HTTP/1.1\r\nHost: s\r\n\r\n") == 200)
        #expect(try await status("GET \(target)q HTTP/1.1\r\nHost: s\r\n\r\n") == 414)
        service.process.send(SIGTERM)
        #expect(try await service.process.waitForExit(timeout: .seconds(8)).code == 0, "\(service.process.output)")
    }
}
