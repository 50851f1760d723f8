public import HTTPServer
public import Observability

extension Logger {
    /// A logger whose every line carries `request`'s `request_id`, `trace_id` and `span_id`, as its access-log line
    /// does: one id finds what a handler logged, the request's access line, and the caller's lines for the same trace.
    ///
    /// ```swift
    /// context.logger.with(request).info("order placed", ["order_id": .int(id)])
    /// ```
    public func with(_ request: Request) -> Logger {
        with(["request_id": .string(request.id), "trace_id": .string(request.trace.traceID.hex), "span_id": .string(request.trace.spanIDHex)])
    }
}
