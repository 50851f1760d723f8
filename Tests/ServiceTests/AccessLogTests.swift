import FoundationEssentials
import Glibc
import HTTPServer
import TestSupport
import Testing

/// One JSON access-log line per answered request, with the route template (never the raw path) and the request id.
@Suite(.requiresPostgreSQL) struct AccessLogTests {
    struct AccessLine: Decodable {
        let ts: String
        let level: String
        let logger: String
        let msg: String
        let method: String
        let route: String
        let status: Int
        let duration_ms: Double
        let bytes: Int
        let request_id: String
        let remote: String
    }

    @Test func everyRequestIsOneAccessLineWithItsTemplateAndRequestID() async throws {
        let schema = try await ServiceFixture.migratedSchema("access")
        let service = try await ServiceFixture.serve(ServiceFixture.environment(schema: schema, ["ACCESS_LOG": "true"]))
        let client = try await TCPClient.connect(port: service.httpPort)
        let found = try await client.request("GET /readyz/424242 HTTP/1.1\r\nHost: service\r\nX-Request-ID: trace-7f3a\r\n\r\n")
        #expect(found.status == 404)
        #expect(found.headers["X-Request-ID"] == "trace-7f3a")
        let unmatched = try await client.request("GET /no/such/raw-path-91 HTTP/1.1\r\nHost: service\r\n\r\n")
        #expect(unmatched.status == 404)
        client.close()
        service.process.send(SIGTERM)
        #expect(try await service.process.waitForExit(timeout: .seconds(8)).code == 0, "\(service.process.output)")

        let lines = try service.process.logLines(event: "http.request").map { try JSONDecoder().decode(AccessLine.self, from: Data($0.utf8)) }
        let item = try #require(lines.first { $0.request_id == "trace-7f3a" }, "\(service.process.output)")
        #expect(item.level == "info" && item.logger == "access" && item.msg == "request")
        #expect(item.method == "GET" && item.route == "/readyz/{check}" && item.status == 404)
        #expect(item.duration_ms >= 0 && item.duration_ms < 5_000)
        #expect(item.bytes > 0)
        #expect(item.remote.hasPrefix("127.0.0.1:"), "\(item.remote)")
        #expect(item.ts.hasSuffix("Z") && item.ts.utf8.count == 24)
        let other = try #require(lines.first { $0.status == 404 && $0.request_id != "trace-7f3a" })
        #expect(other.route == "unmatched" && !other.request_id.isEmpty, "a generated request id, the template not the raw path")
        #expect(!service.process.standardOutput.contains("raw-path-91"), "a raw path reached the log")
        try await ServiceFixture.drop(schema)
    }
}
