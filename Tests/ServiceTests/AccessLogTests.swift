import FoundationEssentials
import Glibc
import HTTPServer
import TestSupport
import Testing

/// One JSON access-log line per answered request, with the route template (never the raw path), the request id and
/// the trace context a handler's own lines share.
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
        let trace_id: String
        let span_id: String
        let parent_span_id: String?
        let remote: String
    }

    /// A line a handler wrote through `logger.with(request)`.
    struct HandlerLine: Decodable {
        let event: String
        let request_id: String
        let trace_id: String
        let span_id: String
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

    /// A caller's `traceparent` is continued: the access line and the handler's line carry its trace id and one span
    /// of this service, child of the caller's. A request without one starts a trace of its own.
    @Test(arguments: ServiceExecutable.allCases) func handlerLinesJoinTheAccessLineAndTheCallersTrace(_ executable: ServiceExecutable) async throws {
        let schema = try await ServiceFixture.migratedSchema(executable, "trace")
        let service = try await ServiceFixture.serve(
            executable, ServiceFixture.environment(schema: schema, ["ACCESS_LOG": "true", "ENABLE_TEST_HOOKS": "true"]))
        let traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
        let callerSpan = "00f067aa0ba902b7"
        let client = try await TCPClient.connect(port: service.httpPort)
        let traced = try await client.request(
            "GET \(ServiceFixture.databaseRoute) HTTP/1.1\r\nHost: service\r\nX-Request-ID: joined-1\r\n"
                + "traceparent: 00-\(traceID)-\(callerSpan)-01\r\n\r\n")
        #expect(traced.status == 200)
        #expect(try await client.request("GET /livez HTTP/1.1\r\nHost: service\r\nX-Request-ID: untraced-1\r\n\r\n").status == 200)
        client.close()
        service.process.send(SIGTERM)
        #expect(try await service.process.waitForExit(timeout: .seconds(8)).code == 0, "\(service.process.output)")

        let access = try service.process.logLines(event: "http.request").map { try JSONDecoder().decode(AccessLine.self, from: Data($0.utf8)) }
        let handler = try service.process.logLines(event: "debug.sleep").map { try JSONDecoder().decode(HandlerLine.self, from: Data($0.utf8)) }
        let line = try #require(access.first { $0.request_id == "joined-1" }, "\(service.process.output)")
        #expect(line.trace_id == traceID && line.parent_span_id == callerSpan)
        #expect(Self.isHexID(line.span_id, digits: 16) && line.span_id != callerSpan, "\(line.span_id)")
        let joined = try #require(handler.first, "\(service.process.output)")
        #expect(joined.request_id == "joined-1" && joined.trace_id == traceID && joined.span_id == line.span_id)

        let untraced = try #require(access.first { $0.request_id == "untraced-1" })
        #expect(Self.isHexID(untraced.trace_id, digits: 32) && untraced.trace_id != traceID, "\(untraced.trace_id)")
        #expect(Self.isHexID(untraced.span_id, digits: 16) && untraced.parent_span_id == nil)
        try await ServiceFixture.drop(schema)
    }

    /// `digits` lowercase hex digits, not all zero: a valid W3C id.
    static func isHexID(_ value: String, digits: Int) -> Bool {
        value.utf8.count == digits && value.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
            && value.utf8.contains { $0 != UInt8(ascii: "0") }
    }
}
