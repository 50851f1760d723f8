import Observability
import TestSupport
import Testing

@testable import ServiceKit
@testable import HTTPServer

@Suite struct HTTPMetricsTests {
    /// The access log's fixed fields are encoded once per method, route and status: each line must still carry its own
    /// status, and its own per-request fields even when the key repeats.
    @Test func accessLogLinesCarryTheirOwnStatusAndRoute() throws {
        let capture = CapturedLines()
        let sink = capture.makeSink()
        let metrics = HTTPMetrics(registry: MetricsRegistry(), accessLogger: Logger(label: "access", sink: sink))
        let requests: [(HTTPMethod?, String?, Int)] = [(.get, "/a", 200), (.get, "/a", 500), (.post, "/a", 200), (.get, "/a", 200), (nil, nil, 400)]
        for (index, (method, route, status)) in requests.enumerated() {
            metrics.record(
                HTTPRequestRecord(
                    method: method, route: route, status: status, duration: .microseconds(1_500 + index), bytesSent: 10 + index,
                    requestID: "r-\(index)", remoteAddress: "10.0.0.1:\(5000 + index)"
                )
            )
        }
        #expect(sink.flush(timeout: .seconds(10)))
        let lines = try capture.lines.map { try StrictJSON.parse($0) }
        try #require(lines.count == requests.count)
        #expect(lines.map { $0["method"] } == [.string("GET"), .string("GET"), .string("POST"), .string("GET"), .string("INVALID")])
        #expect(lines.map { $0["route"] } == [.string("/a"), .string("/a"), .string("/a"), .string("/a"), .string("unmatched")])
        #expect(lines.map { $0["status"] } == [.number("200"), .number("500"), .number("200"), .number("200"), .number("400")])
        for (index, line) in lines.enumerated() {
            #expect(line["request_id"] == .string("r-\(index)"))
            #expect(line["duration_ms"] == .number("1.50\(index)"))
            #expect(line["bytes"] == .number("\(10 + index)"))
            #expect(line["remote"] == .string("10.0.0.1:\(5000 + index)"))
        }
    }
}
