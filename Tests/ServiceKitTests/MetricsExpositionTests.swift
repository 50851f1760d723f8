import HTTPServer
import Observability
import Postgres
import TestSupport
import Testing

@testable import ServiceKit

/// The admin port's `/metrics`, parsed strictly, from the real application after real requests.
@Suite(.requiresPostgreSQL) struct MetricsExpositionTests {
    static let expectedFamilies = [
        "http_requests_total", "http_request_duration_seconds", "http_requests_in_flight", "http_open_connections",
        "db_pool_connections", "db_pool_acquire_wait_seconds", "db_pool_acquire_timeouts_total", "db_pool_connect_errors_total",
        "service_ready", "service_draining", "event_loop_lag_seconds", "process_resident_memory_bytes", "process_open_fds",
        "process_start_time_seconds", "process_cpu_seconds_total",
    ]

    @Test func realExpositionIsStrictAndLabelsRoutesByTemplate() async throws {
        try await LiveApplication.with { app in
            let client = try await TCPClient.connect(port: app.trafficPort)
            defer { client.close() }
            func send(_ head: String, body: String = "") async throws -> HTTPTestResponse {
                let framing = body.isEmpty ? "" : "Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n"
                return try await client.request("\(head) HTTP/1.1\r\nHost: t\r\n\(framing)\r\n\(body)")
            }
            let created = try await send("POST /things", body: "{}")
            #expect(created.status == 201)
            let location = try #require(created.headers["Location"])
            #expect(try await send("GET \(location)").status == 200)
            #expect(try await send("GET /things/9223372036854775807").status == 404)
            #expect(try await send("GET /things").status == 200)
            let rawPath = "/no/such/path-\(UInt64.random(in: 0 ... .max))"
            #expect(try await send("GET \(rawPath)").status == 404)
            #expect(try await send("DELETE /livez").status == 405)
            // Each response is recorded after it is written; the next request on this connection is handled
            // only after that, so once this one answers every earlier one is counted.
            #expect(try await send("GET /livez").status == 200)

            let admin = try await TCPClient.connect(port: app.adminPort)
            defer { admin.close() }
            let scrape = try await admin.request("GET /metrics HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(scrape.status == 200)
            #expect(scrape.headers["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8")
            let parsed = try StrictPrometheusParser(scrape.body)

            for family in Self.expectedFamilies {
                #expect(parsed.family(family) != nil, "missing \(family)")
            }
            for family in parsed.families where family.type == "counter" {
                #expect(family.name.hasSuffix("_total"), "counter \(family.name)")
            }
            let templates = Set(app.application.trafficRoutes.map(\.path)).union(["unmatched"])
            for family in parsed.families {
                for sample in family.samples {
                    for label in sample.labels where label.name == "route" {
                        #expect(templates.contains(label.value), "route label \(label.value) of \(sample.name)")
                    }
                }
            }
            #expect(!scrape.text.contains("no/such/path"), "a raw path leaked into a label")

            #expect(parsed.value("http_requests_total", ["method": "POST", "route": "/things", "status": "201"]) == 1)
            #expect(parsed.value("http_requests_total", ["method": "GET", "route": "/things/{id}", "status": "200"]) == 1)
            #expect(parsed.value("http_requests_total", ["method": "GET", "route": "/things/{id}", "status": "404"]) == 1)
            #expect(parsed.value("http_requests_total", ["method": "GET", "route": "unmatched", "status": "404"]) == 1)
            #expect(parsed.value("http_requests_total", ["method": "DELETE", "route": "unmatched", "status": "405"]) == 1)
            #expect(parsed.value("http_request_duration_seconds_count", ["method": "GET", "route": "/things/{id}"]) == 2)
            #expect(parsed.value("http_requests_in_flight") == 0)
            #expect(parsed.value("http_open_connections") == 1)
            #expect(parsed.value("service_ready") == 1)
            #expect(parsed.value("service_draining") == 0)
            #expect((parsed.value("db_pool_acquire_wait_seconds_count") ?? 0) >= 4, "one lease per database request at least")
            #expect(parsed.value("db_pool_acquire_timeouts_total") == 0)
            for state in ["idle", "in_use", "connecting"] {
                #expect(parsed.value("db_pool_connections", ["state": state]) != nil, "\(state)")
            }
            #expect((parsed.value("process_resident_memory_bytes") ?? 0) > 1_000_000)
            #expect((parsed.value("process_open_fds") ?? 0) > 3)
            #expect((parsed.value("process_start_time_seconds") ?? 0) > 1_600_000_000)
        }
    }

    @Test func requestMetricsOffLeavesNoPerRequestSeries() async throws {
        try await LiveApplication.with(requestMetrics: false) { app in
            let client = try await TCPClient.connect(port: app.trafficPort)
            defer { client.close() }
            for _ in 0..<2 { #expect(try await client.request("GET /livez HTTP/1.1\r\nHost: t\r\n\r\n").status == 200) }
            let admin = try await TCPClient.connect(port: app.adminPort)
            defer { admin.close() }
            let parsed = try StrictPrometheusParser(try await admin.request("GET /metrics HTTP/1.1\r\nHost: t\r\n\r\n").body)
            for family in ["http_requests_total", "http_request_duration_seconds", "http_requests_in_flight"] {
                #expect(parsed.family(family) == nil, "\(family) with REQUEST_METRICS off")
            }
            #expect(parsed.value("http_open_connections") == 1)
            #expect((parsed.value("process_resident_memory_bytes") ?? 0) > 1_000_000)
        }
    }

    @Test func inFlightGaugeReadsTheTrafficServer() async throws {
        try await LiveApplication.with(testHooks: true) { app in
            let client = try await TCPClient.connect(port: app.trafficPort)
            defer { client.close() }
            try await client.send("GET /debug/sleep?seconds=2 HTTP/1.1\r\nHost: t\r\n\r\n")
            let admin = try await TCPClient.connect(port: app.adminPort)
            defer { admin.close() }
            func inFlight() async throws -> Double? {
                try StrictPrometheusParser(try await admin.request("GET /metrics HTTP/1.1\r\nHost: t\r\n\r\n").body).value("http_requests_in_flight")
            }
            try await Poll.until("the sleeping request to count", timeout: .seconds(2), interval: .milliseconds(10)) { try await inFlight() == 1 }
            #expect(try await client.readResponse(timeout: .seconds(10)).status == 200)
            #expect(try await inFlight() == 0)
        }
    }

    @Test func acquireWaitIsObservedForEveryLeaseAndNotForATimeout() async throws {
        let waits = Recorder<Duration>()
        let pool = PostgresPool(
            configuration: try PoolFixture.configuration(),
            poolConfiguration: .init(minimumConnections: 0, maximumConnections: 1, acquireTimeout: .milliseconds(100)),
            eventLoopGroup: PoolFixture.group, acquireWaitObserver: { waits.append($0) }
        )
        let running = Task { await pool.run() }
        try await PoolFixture.warmUp(pool)
        let warmUps = waits.values.count
        for _ in 0..<3 { _ = try await pool.query("SELECT 1") }
        #expect(waits.values.count == warmUps + 3)
        let gate = Gate()
        let holder = await PoolFixture.holdConnection(of: pool, until: gate)
        let timeout = await #expect(throws: PostgresError.self) { try await pool.query("SELECT 1") }
        #expect(timeout?.code == .poolAcquireTimeout)
        gate.open()
        try await holder.value
        #expect(waits.values.count == warmUps + 4, "the holder's lease counts, the timed-out acquire does not")
        await pool.close(timeout: .seconds(5))
        await running.value
    }

    @Test func labelValuesWithQuoteBackslashAndNewlineRoundTrip() throws {
        let registry = MetricsRegistry()
        let value = "say \"hi\" \\ to\nall"
        registry.counter("escape_total", help: "Escaping.", labels: [("v", value)]).increment(by: 7)
        let text = String(decoding: registry.render(), as: UTF8.self)
        #expect(text.contains(#"escape_total{v="say \"hi\" \\ to\nall"} 7"#))
        #expect(try StrictPrometheusParser(registry.render()).value("escape_total", ["v": value]) == 7)
    }

    @Test(
        "the strict parser refuses what the format or our conventions forbid",
        arguments: [
            "# TYPE a gauge\na 1\n",  // TYPE without HELP
            "# HELP a A.\na 1\n",  // HELP without TYPE
            "# HELP a A.\n# TYPE a gauge\n",  // family without samples
            "# HELP a A.\n# TYPE a gauge\na 1\n# HELP b B.\n# TYPE b gauge\nb 1\n# HELP a A.\n# TYPE a gauge\na{x=\"2\"} 1\n",  // split family
            "# HELP a A.\n# TYPE a gauge\nb 1\n",  // sample of another family
            "# HELP a A.\n# TYPE a gauge\na{x=\"q\"q\"} 1\n",  // unescaped quote
            "# HELP a A.\n# TYPE a gauge\na{x=\"\\t\"} 1\n",  // unknown escape
            "# HELP a A.\n# TYPE a gauge\na{1x=\"v\"} 1\n",  // invalid label name
            "# HELP 1a A.\n# TYPE 1a gauge\n1a 1\n",  // invalid metric name
            "# HELP a A.\n# TYPE a gauge\na 1\na 2\n",  // repeated series
            "# HELP a A.\n# TYPE a gauge\na 1",  // no final newline
            // not cumulative
            "# HELP h H.\n# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"2\"} 1\nh_bucket{le=\"+Inf\"} 2\nh_sum 1\nh_count 2\n",
            // le not increasing
            "# HELP h H.\n# TYPE h histogram\nh_bucket{le=\"2\"} 1\nh_bucket{le=\"1\"} 1\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n",
            "# HELP h H.\n# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_sum 1\nh_count 1\n",  // no +Inf bucket
            "# HELP h H.\n# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\nh_sum 1\nh_count 3\n",  // _count differs from +Inf
            "# HELP h H.\n# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\nh_count 2\n",  // no _sum
        ]
    )
    func strictParserRefuses(_ exposition: String) {
        #expect(throws: StrictPrometheusParser.FormatError.self) { try StrictPrometheusParser(Array(exposition.utf8)) }
    }
}
