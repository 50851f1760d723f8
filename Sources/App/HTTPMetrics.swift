import HTTPServer
import IO
import Observability
import Synchronization

/// Request metrics and the access log, fed by the server after each response.
///
/// Labels use the route template, never the raw path, so cardinality stays bounded.
final class HTTPMetrics: Sendable {
    private struct Series {
        let requests: Counter
        let duration: Histogram
    }

    private struct Key: Hashable {
        let method: String
        let route: String
        let status: Int
    }

    private let registry: MetricsRegistry?
    private let series = Mutex<[Key: Series]>([:])
    private let accessLogger: Logger?

    static let buckets: [Double] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    /// - Parameters:
    ///   - registry: Where the request series live; `nil` when `REQUEST_METRICS` is off.
    ///   - accessLogger: Writes the access log; `nil` when `ACCESS_LOG` is off.
    init(registry: MetricsRegistry?, accessLogger: Logger?) {
        self.registry = registry
        self.accessLogger = accessLogger
    }

    func record(_ record: HTTPRequestRecord) {
        let key = Key(method: record.method?.rawValue ?? "INVALID", route: record.route ?? "unmatched", status: record.status)
        if let registry {
            count(key, duration: record.duration, in: registry)
        }
        // Written field by field: this line is written per request, where `KeyValuePairs` cost more than the line.
        accessLogger?.log(.info, "request") { line in
            JSONText.appendField("event", "http.request", to: &line)
            JSONText.appendField("method", key.method, to: &line)
            JSONText.appendField("route", key.route, to: &line)
            JSONText.appendField("status", record.status, to: &line)
            JSONText.appendField("duration_ms", milliseconds: record.duration, to: &line)
            JSONText.appendField("bytes", record.bytesSent, to: &line)
            JSONText.appendField("request_id", record.requestID ?? "", to: &line)
            JSONText.appendField("remote", record.remoteAddress, to: &line)
        }
    }

    private func count(_ key: Key, duration: Duration, in registry: MetricsRegistry) {
        let found = series.withLock { series -> Series in
            if let existing = series[key] { return existing }
            let created = Series(
                requests: registry.counter(
                    "http_requests_total", help: "HTTP requests answered.",
                    labels: [("method", key.method), ("route", key.route), ("status", String(key.status))]
                ),
                duration: registry.histogram(
                    "http_request_duration_seconds", help: "Time from a complete request to its written response.",
                    labels: [("method", key.method), ("route", key.route)], buckets: Self.buckets
                )
            )
            series[key] = created
            return created
        }
        found.requests.increment()
        found.duration.observe(duration.seconds)
    }
}
