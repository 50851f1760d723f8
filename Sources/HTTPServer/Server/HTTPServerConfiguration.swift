public import IO
public import Observability

/// Everything an ``HTTPServer`` needs to know besides its responder.
public struct HTTPServerConfiguration: Sendable {
    /// Address to bind. Default `::`: every address of both families, IPv4 only where the kernel has no IPv6 (see
    /// ``Socket/listen(host:port:backlog:)``); probes reach the pod IP, not loopback.
    public var host: String
    /// Port to bind; 0 picks a free one (see ``HTTPServer/port``).
    public var port: Int
    /// Parser size limits.
    public var limits: HTTPLimits
    /// Read, write, idle and handler timeouts.
    public var timeouts: HTTPConnectionStateMachine.Timeouts
    /// Most open connections; past it new ones get a fast 503 and are closed. Default 10,000.
    public var maxConnections: Int
    /// Listen backlog. Default 1024.
    public var backlog: Int32
    /// Paths still served normally while draining (probes); prefix matches at a `/` boundary.
    public var drainExemptPaths: [String]
    /// Where the server reports what no request carries: `accept` failing for want of descriptors.
    public var logger: Logger
    /// Called after each response is written (access log, metrics). Runs on the request's task; keep it cheap.
    public var onRequestFinished: (@Sendable (HTTPRequestRecord) -> Void)?

    /// Creates a configuration; every parameter has a production default.
    public init(
        host: String = Socket.anyAddress, port: Int = 8080, limits: HTTPLimits = HTTPLimits(),
        timeouts: HTTPConnectionStateMachine.Timeouts = .init(), maxConnections: Int = 10_000, backlog: Int32 = 1024,
        drainExemptPaths: [String] = ["/livez", "/readyz"], logger: Logger = Logger(label: "http"),
        onRequestFinished: (@Sendable (HTTPRequestRecord) -> Void)? = nil
    ) {
        self.host = host
        self.port = port
        self.limits = limits
        self.timeouts = timeouts
        self.maxConnections = maxConnections
        self.backlog = backlog
        self.drainExemptPaths = drainExemptPaths
        self.logger = logger
        self.onRequestFinished = onRequestFinished
    }

    func isDrainExempt(_ path: String) -> Bool {
        drainExemptPaths.contains { exempt in
            path == exempt || (path.hasPrefix(exempt) && path.utf8.dropFirst(exempt.utf8.count).first == UInt8(ascii: "/"))
        }
    }
}

/// What the server tells its observer about one answered request.
public struct HTTPRequestRecord: Sendable {
    /// The method, or nil when the request could not be parsed.
    public var method: HTTPMethod?
    /// The matched route template, or nil (unmatched path, or unparsable request). Never the raw path.
    public var route: String?
    /// The response status code.
    public var status: Int
    /// From the complete request to its encoded response, before the send: a slow client does not lengthen it.
    public var duration: Duration
    /// Response bytes written, head included.
    public var bytesSent: Int
    /// The request id, or nil when the request could not be parsed.
    public var requestID: String?
    /// The request's trace context, or nil when the request could not be parsed.
    public var trace: TraceContext? = nil
    /// The peer address.
    public var remoteAddress: String
}
