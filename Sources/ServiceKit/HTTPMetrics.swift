import HTTPServer
import IO
import Observability
import Synchronization

/// Request metrics and the access log, fed by the server after each response.
///
/// Labels use the route template, never the raw path, so cardinality stays bounded.
final class HTTPMetrics: Sendable {
    /// What every request of one method, route and status shares, made once.
    private struct Route {
        let requests: Counter?
        let duration: Histogram?
        /// The access-log fields that repeat for every request here, already encoded.
        let logFields: [UInt8]
    }

    private struct Key: Hashable {
        let method: String
        let route: String
        let status: Int
    }

    private let registry: MetricsRegistry?
    private let routes = Mutex<[Key: Route]>([:])
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
        let route = route(Key(method: record.method?.rawValue ?? "INVALID", route: record.route ?? "unmatched", status: record.status))
        route.requests?.increment()
        route.duration?.observe(record.duration.seconds)
        accessLogger?.log(.info, "request") { line in
            line.appendEncodedFields(route.logFields)
            line.appendField("duration_ms", milliseconds: record.duration)
            line.appendField("bytes", record.bytesSent)
            line.appendField("request_id", record.requestID ?? "")
            if let trace = record.trace {
                line.appendHexField("trace_id", trace.traceID.high, trace.traceID.low)
                line.appendHexField("span_id", trace.spanID)
                if let parent = trace.parentSpanID { line.appendHexField("parent_span_id", parent) }
            }
            line.appendField("remote", record.remoteAddress)
        }
    }

    private func route(_ key: Key) -> Route {
        routes.withLock { routes -> Route in
            if let existing = routes[key] { return existing }
            var logFields: [UInt8] = []
            JSONText.appendField("event", "http.request", to: &logFields)
            JSONText.appendField("method", key.method, to: &logFields)
            JSONText.appendField("route", key.route, to: &logFields)
            JSONText.appendField("status", key.status, to: &logFields)
            let created = Route(
                requests: registry?.counter(
                    "http_requests_total", help: "HTTP requests answered.",
                    labels: [("method", key.method), ("route", key.route), ("status", String(key.status))]
                ),
                duration: registry?.histogram(
                    "http_request_duration_seconds", help: "Time from a complete request to its encoded response, before the send.",
                    labels: [("method", key.method), ("route", key.route)], buckets: Self.buckets
                ),
                logFields: logFields
            )
            routes[key] = created
            return created
        }
    }
}
