import Observability
import Synchronization
import TestSupport
import Testing

@testable import App
@testable import HTTPServer

@Suite struct HTTPMetricsTests {
    /// The access log's fixed fields are encoded once per method, route and status: each line must still carry its own.
    @Test func accessLogLinesCarryTheirOwnStatusAndRoute() throws {
        let written = Mutex<[UInt8]>([])
        let sink = LogSink { bytes in
            written.withLock { $0.append(contentsOf: bytes) }
            return true
        }
        let metrics = HTTPMetrics(registry: MetricsRegistry(), accessLogger: Logger(label: "access", sink: sink))
        let requests: [(HTTPMethod?, String?, Int)] = [(.get, "/a", 200), (.get, "/a", 500), (.post, "/a", 200), (.get, "/a", 200), (nil, nil, 400)]
        for (method, route, status) in requests {
            metrics.record(
                HTTPRequestRecord(
                    method: method, route: route, status: status, duration: .microseconds(1_500), bytesSent: 10, requestID: "r-\(status)",
                    remoteAddress: "10.0.0.1:5000"
                )
            )
        }
        #expect(sink.flush(timeout: .seconds(10)))
        let lines = try written.withLock { $0 }.split(separator: UInt8(ascii: "\n")).map { try StrictJSON.parse($0) }
        try #require(lines.count == requests.count)
        #expect(lines.map { $0["method"] } == [.string("GET"), .string("GET"), .string("POST"), .string("GET"), .string("INVALID")])
        #expect(lines.map { $0["route"] } == [.string("/a"), .string("/a"), .string("/a"), .string("/a"), .string("unmatched")])
        #expect(lines.map { $0["status"] } == [.number("200"), .number("500"), .number("200"), .number("200"), .number("400")])
        #expect(lines.map { $0["request_id"] } == [.string("r-200"), .string("r-500"), .string("r-200"), .string("r-200"), .string("r-400")])
        #expect(lines.allSatisfy { $0["duration_ms"] == .number("1.500") && $0["remote"] == .string("10.0.0.1:5000") })
    }
}
