import HTTPServer
import Observability

/// Counts the requests being handled on the traffic port (`http_requests_in_flight`) around another responder.
///
/// A request counts from the moment its handler starts until it returns its response; requests refused while
/// draining never reach a responder, so they do not count.
struct InFlightResponder: HTTPResponder {
    let inner: any HTTPResponder
    let inFlight: Gauge

    init(_ inner: any HTTPResponder, metrics: MetricsRegistry) {
        self.inner = inner
        inFlight = metrics.gauge("http_requests_in_flight", help: "Requests being handled on the traffic port.")
    }

    func respond(to request: Request) async -> Response {
        inFlight.increment()
        defer { inFlight.decrement() }
        return await inner.respond(to: request)
    }
}
