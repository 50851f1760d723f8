import TestSupport
import Testing

@testable import Observability

@Suite struct MetricsRegistryTests {
    private func parse(_ registry: MetricsRegistry) throws -> StrictPrometheusParser {
        try StrictPrometheusParser(registry.render())
    }

    @Test func rendersTheExactExpositionFormat() {
        let registry = MetricsRegistry()
        registry.counter("http_requests_total", help: "Requests served.", labels: [("status", "200")]).increment(by: 3)
        registry.gauge("temperature", help: "Multi\nline \\ \"help\".").set(-2.5)
        registry.counter("http_requests_total", help: "Requests served.", labels: [("status", "500")]).increment()
        registry.histogram("latency_seconds", help: "Latency.", labels: [("route", "/a")], buckets: [0.1, 1]).observe(
            0.5)
        let expected = """
            # HELP http_requests_total Requests served.
            # TYPE http_requests_total counter
            http_requests_total{status="200"} 3
            http_requests_total{status="500"} 1
            # HELP temperature Multi\\nline \\\\ "help".
            # TYPE temperature gauge
            temperature -2.5
            # HELP latency_seconds Latency.
            # TYPE latency_seconds histogram
            latency_seconds_bucket{route="/a",le="0.1"} 0
            latency_seconds_bucket{route="/a",le="1"} 1
            latency_seconds_bucket{route="/a",le="+Inf"} 1
            latency_seconds_sum{route="/a"} 0.5
            latency_seconds_count{route="/a"} 1

            """
        #expect(String(decoding: registry.render(), as: UTF8.self) == expected)
        #expect(MetricsRegistry.contentType == "text/plain; version=0.0.4; charset=utf-8")
    }

    @Test func emptyRegistryRendersNothing() throws {
        #expect(MetricsRegistry().render().isEmpty)
        #expect(try StrictPrometheusParser([]).families.isEmpty)
    }

    @Test func getOrCreateReturnsTheSameSeriesForTheSameLabelsInAnyOrder() {
        let registry = MetricsRegistry()
        let first = registry.counter("jobs_total", help: "Jobs.", labels: [("a", "1"), ("b", "2")])
        let same = registry.counter("jobs_total", help: "Jobs.", labels: [("b", "2"), ("a", "1")])
        let other = registry.counter("jobs_total", help: "Jobs.", labels: [("a", "1"), ("b", "3")])
        #expect(first === same)
        #expect(first !== other)
        #expect(registry.gauge("g", help: "G.") === registry.gauge("g", help: "G."))
        #expect(
            registry.histogram("h", help: "H.", buckets: [1])
                === registry.histogram("h", help: "H.", buckets: [1, .infinity]))
    }

    @Test func familiesAppearOnceInRegistrationOrder() throws {
        let registry = MetricsRegistry()
        for name in ["zeta_total", "alpha_total", "mid_total"] {
            for shard in 0..<3 {
                registry.counter(name, help: "Counts \(name).", labels: [("shard", "\(shard)")]).increment(by: shard)
            }
        }
        registry.counter("alpha_total", help: "Counts alpha_total.", labels: [("shard", "9")]).increment()
        let parsed = try parse(registry)
        #expect(parsed.families.map(\.name) == ["zeta_total", "alpha_total", "mid_total"])
        #expect(parsed.family("alpha_total")?.samples.count == 4)
        #expect(parsed.value("alpha_total", ["shard": "9"]) == 1)
        #expect(parsed.value("mid_total", ["shard": "2"]) == 2)
        for family in parsed.families where family.type == "counter" {
            #expect(family.name.hasSuffix("_total"))
        }
    }

    @Test func labelValuesEscapeAndRoundTrip() throws {
        let registry = MetricsRegistry()
        let values = [#"back\slash"#, #"say "hi""#, "two\nlines", "ünïcödé 🎉", #"\n literally"#, "", "a,b=c}"]
        for (index, value) in values.enumerated() {
            registry.gauge("label_roundtrip", help: "Escaping.", labels: [("v", value)]).set(Double(index))
        }
        let parsed = try parse(registry)
        for (index, value) in values.enumerated() {
            #expect(parsed.value("label_roundtrip", ["v": value]) == Double(index))
        }
        #expect(String(decoding: registry.render(), as: UTF8.self).contains(#"{v="back\\slash"}"#))
    }

    @Test func histogramBucketsAreCumulativeWithInclusiveUpperBounds() throws {
        let registry = MetricsRegistry()
        let histogram = registry.histogram("size_bytes", help: "Sizes.", buckets: [10, 100, 1000])
        for value in [5.0, 10, 10.5, 100, 99, 5000, -1] {
            histogram.observe(value)
        }
        let parsed = try parse(registry)
        #expect(parsed.value("size_bytes_bucket", ["le": "10"]) == 3)
        #expect(parsed.value("size_bytes_bucket", ["le": "100"]) == 6)
        #expect(parsed.value("size_bytes_bucket", ["le": "1000"]) == 6)
        #expect(parsed.value("size_bytes_bucket", ["le": "+Inf"]) == 7)
        #expect(parsed.value("size_bytes_count") == 7)
        #expect(parsed.value("size_bytes_sum") == 5223.5)
    }

    @Test func histogramWithoutObservationsIsComplete() throws {
        let registry = MetricsRegistry()
        _ = registry.histogram("empty_seconds", help: "Nothing yet.", labels: [("k", "v")], buckets: [0.005, 0.25])
        _ = registry.histogram("no_buckets", help: "Only +Inf.", buckets: [])
        let parsed = try parse(registry)
        #expect(
            parsed.family("empty_seconds")?.samples.map(\.name) == [
                "empty_seconds_bucket", "empty_seconds_bucket", "empty_seconds_bucket", "empty_seconds_sum",
                "empty_seconds_count",
            ])
        #expect(parsed.value("empty_seconds_bucket", ["k": "v", "le": "0.005"]) == 0)
        #expect(parsed.value("no_buckets_bucket", ["le": "+Inf"]) == 0)
    }

    @Test func gaugesMoveBothWays() throws {
        let registry = MetricsRegistry()
        let gauge = registry.gauge("in_use", help: "In use.")
        gauge.increment()
        gauge.increment(by: 2.5)
        gauge.decrement()
        gauge.decrement(by: 0.25)
        #expect(gauge.value == 2.25)
        gauge.set(-7)
        #expect(try parse(registry).value("in_use") == -7)
    }

    @Test func readClosuresAreEvaluatedAtEachScrapeAndCanBeReplaced() throws {
        let registry = MetricsRegistry()
        let counter = registry.counter("ticks_total", help: "Ticks.")
        registry.counter("ticks_total", help: "Ticks.", labels: [("source", "read")]) { Double(counter.value) * 2 }
        registry.gauge("special", help: "Special values.", labels: [("kind", "nan")]) { .nan }
        registry.gauge("special", help: "Special values.", labels: [("kind", "inf")]) { .infinity }
        registry.gauge("special", help: "Special values.", labels: [("kind", "neg")]) { -.infinity }
        registry.gauge("special", help: "Special values.", labels: [("kind", "big")]) { 1e20 }
        counter.increment(by: 21)
        var parsed = try parse(registry)
        #expect(parsed.value("ticks_total", ["source": "read"]) == 42)
        #expect(parsed.value("special", ["kind": "nan"])?.isNaN == true)
        #expect(parsed.value("special", ["kind": "inf"]) == .infinity)
        #expect(parsed.value("special", ["kind": "neg"]) == -.infinity)
        #expect(parsed.value("special", ["kind": "big"]) == 1e20)
        registry.gauge("special", help: "Special values.", labels: [("kind", "nan")]) { 1 }
        parsed = try parse(registry)
        #expect(parsed.value("special", ["kind": "nan"]) == 1)
        #expect(parsed.family("special")?.samples.count == 4)
    }

    @Test(
        arguments: [
            (0.0, "0"), (-0.0, "0"), (42, "42"), (-3, "-3"), (0.5, "0.5"), (1e-5, "1e-05"),
            (9_007_199_254_740_991, "9007199254740991"),
            (1e20, "1e+20"), (.infinity, "+Inf"), (-.infinity, "-Inf"), (.nan, "NaN"),
        ] as [(Double, String)])
    func numbersRenderPrometheusStyle(value: Double, expected: String) {
        var output: [UInt8] = []
        PrometheusText.appendValue(value, to: &output)
        #expect(String(decoding: output, as: UTF8.self) == expected)
    }

    @Test func namesFollowTheGrammar() {
        for valid in ["a", "_", ":", "http_requests_total", "ns:sub_name", "A9_:z"] {
            #expect(PrometheusText.isValidMetricName(valid), "\(valid)")
        }
        for invalid in ["", "9lives", "has-dash", "has space", "ünicode", "a.b"] {
            #expect(!PrometheusText.isValidMetricName(invalid), "\(invalid)")
        }
        for valid in ["a", "_a", "route", "status_code", "A1"] {
            #expect(PrometheusText.isValidLabelName(valid), "\(valid)")
        }
        for invalid in ["", "__name__", "__", "a:b", "1a", "with-dash"] {
            #expect(!PrometheusText.isValidLabelName(invalid), "\(invalid)")
        }
    }

    @Test func concurrentUpdatesGiveExactTotals() async throws {
        let registry = MetricsRegistry()
        let tasks = 8
        let iterations = 20_000
        await withTaskGroup { group in
            for task in 0..<tasks {
                group.addTask {
                    // Every task looks the series up itself, so get-or-create races too.
                    let counter = registry.counter("ops_total", help: "Operations.")
                    let histogram = registry.histogram("op_seconds", help: "Operation time.", buckets: [0.5, 1])
                    let gauge = registry.gauge("level", help: "Level.")
                    let perTask = registry.counter("task_ops_total", help: "Per task.", labels: [("task", "\(task)")])
                    for iteration in 0..<iterations {
                        counter.increment()
                        perTask.increment(by: 2)
                        histogram.observe(iteration.isMultiple(of: 2) ? 0.25 : 3)
                        gauge.increment(by: 1)
                        gauge.decrement(by: 0.5)
                    }
                }
            }
            group.addTask {
                // Scrapes while the counts move must stay well-formed.
                for _ in 0..<50 {
                    _ = try? StrictPrometheusParser(registry.render())
                }
            }
        }
        let parsed = try parse(registry)
        let total = Double(tasks * iterations)
        #expect(parsed.value("ops_total") == total)
        #expect(parsed.value("op_seconds_count") == total)
        #expect(parsed.value("op_seconds_bucket", ["le": "0.5"]) == total / 2)
        #expect(parsed.value("op_seconds_bucket", ["le": "1"]) == total / 2)
        #expect(parsed.value("op_seconds_sum") == total / 2 * 0.25 + total / 2 * 3)
        #expect(parsed.value("level") == total / 2)
        for task in 0..<tasks {
            #expect(parsed.value("task_ops_total", ["task": "\(task)"]) == Double(2 * iterations))
        }
    }

    @Test func concurrentScrapesParse() async throws {
        let registry = MetricsRegistry()
        let histogram = registry.histogram("busy_seconds", help: "Busy.", buckets: [0.1, 0.2, 0.4])
        try await withThrowingTaskGroup { group in
            group.addTask {
                for index in 0..<50_000 {
                    histogram.observe(Double(index % 5) / 10)
                }
            }
            group.addTask {
                for _ in 0..<200 {
                    _ = try StrictPrometheusParser(registry.render())
                }
            }
            try await group.waitForAll()
        }
    }

    @Test func programmingErrorsStopTheProcess() async {
        await #expect(processExitsWith: .failure) {
            _ = MetricsRegistry().counter("bad-name", help: "x")
        }
        await #expect(processExitsWith: .failure) {
            _ = MetricsRegistry().counter("ok_total", help: "x", labels: [("__reserved", "v")])
        }
        await #expect(processExitsWith: .failure) {
            _ = MetricsRegistry().counter("ok_total", help: "x", labels: [("a", "1"), ("a", "2")])
        }
        await #expect(processExitsWith: .failure) {
            let registry = MetricsRegistry()
            _ = registry.counter("shared", help: "x")
            _ = registry.gauge("shared", help: "x")
        }
        await #expect(processExitsWith: .failure) {
            let registry = MetricsRegistry()
            _ = registry.counter("shared_total", help: "one")
            _ = registry.counter("shared_total", help: "two")
        }
        await #expect(processExitsWith: .failure) {
            let registry = MetricsRegistry()
            _ = registry.histogram("h", help: "x", buckets: [1, 2])
            _ = registry.histogram("h", help: "x", labels: [("k", "v")], buckets: [1, 3])
        }
        await #expect(processExitsWith: .failure) {
            _ = MetricsRegistry().histogram("h", help: "x", buckets: [2, 1])
        }
        await #expect(processExitsWith: .failure) {
            _ = MetricsRegistry().histogram("h", help: "x", labels: [("le", "1")], buckets: [1])
        }
        await #expect(processExitsWith: .failure) {
            let registry = MetricsRegistry()
            _ = registry.gauge("g", help: "x")
            registry.gauge("g", help: "x") { 1 }
        }
        await #expect(processExitsWith: .failure) {
            let registry = MetricsRegistry()
            registry.gauge("g", help: "x") { 1 }
            _ = registry.gauge("g", help: "x")
        }
        await #expect(processExitsWith: .failure) {
            MetricsRegistry().counter("c_total", help: "x").increment(by: -1)
        }
    }
}
