import Glibc
public import IO
import Synchronization

/// An HTTP/1.1 server on a group of epoll event loops.
///
/// ```swift
/// let group = try EventLoopGroup(threadCount: CPUCount.usable())
/// let server = HTTPServer(configuration: .init(port: 8080), responder: router, group: group)
/// try server.start()
/// ```
/// The loops only accept, read, parse and flush; every handler runs in its own task on Swift's
/// concurrency pool, so a slow handler or client never holds up another connection.
///
/// Shutdown happens in steps the lifecycle drives: ``closeKeepAliveConnections()`` (responses say
/// `Connection: close`), ``stopAccepting()``, ``quiesce()`` (idle keep-alive connections close, busy ones
/// after their response, a connection's first request is still served, later ones get 503), ``waitForConnectionsToClose(timeout:)``, ``forceCloseConnections()``.
public final class HTTPServer: Sendable {
    /// How far the shutdown drain has gone.
    public enum DrainPhase: UInt8, Sendable {
        /// Normal service.
        case serving
        /// Still serving, but every response closes its connection so clients reconnect elsewhere.
        case closingConnections
        /// The listener is closed; only requests already in flight, probes, and the first request of a connection
        /// accepted before the listener closed are served.
        case draining
    }

    /// State shared by the server, its listener and its connections.
    final class Shared: Sendable {
        let configuration: HTTPServerConfiguration
        let responder: any HTTPResponder
        let openConnections = Atomic<Int>(0)
        let requestsInFlight = Atomic<Int>(0)
        let acceptErrors = Mutex<[AcceptErrorReason: Int]>([:])
        private let phase = Atomic<UInt8>(DrainPhase.serving.rawValue)
        private let requestIDs = RequestIDGenerator()
        private let traceIDs = TraceIDGenerator()

        init(configuration: HTTPServerConfiguration, responder: any HTTPResponder) {
            self.configuration = configuration
            self.responder = responder
        }

        var drainPhase: DrainPhase {
            get { DrainPhase(rawValue: phase.load(ordering: .acquiring)) ?? .serving }
            set { phase.store(newValue.rawValue, ordering: .releasing) }
        }

        var allowsKeepAlive: Bool { drainPhase == .serving }
        var rejectsNewRequests: Bool { drainPhase == .draining }

        /// The client's `X-Request-ID` when it is 1–128 safe characters, otherwise a new process-unique id.
        func requestID(from headers: HTTPHeaders) -> String {
            if let given = headers["X-Request-ID"], Self.isWellFormedRequestID(given) { return given }
            return requestIDs.next()
        }

        /// The request's trace: its caller's, continued, when it has one valid `traceparent`, else a new one.
        func traceContext(from headers: HTTPHeaders) -> TraceContext {
            traceIDs.context(traceparent: headers.onlyValue(for: "traceparent"))
        }

        static func isWellFormedRequestID(_ value: String) -> Bool {
            let utf8 = value.utf8
            return (1...128).contains(utf8.count)
                && utf8.allSatisfy { CharacterClass.isUnreserved($0) || $0 == UInt8(ascii: ":") }
        }

        func connectionClosed(_ connection: HTTPConnection, context: LoopContext) {
            context.remove(connection)
            openConnections.wrappingSubtract(1, ordering: .relaxed)
        }
    }

    /// Per-loop state: the scratch buffer reads land in, and the loop's connections.
    final class LoopContext: @unchecked Sendable {
        let loop: EventLoop
        /// Used only on the loop's thread, by whichever connection is reading.
        let scratch: UnsafeMutableRawBufferPointer
        private let connections = Mutex<[ObjectIdentifier: HTTPConnection]>([:])

        init(loop: EventLoop) {
            self.loop = loop
            scratch = .allocate(byteCount: 64 * 1024, alignment: 16)
        }

        deinit { scratch.deallocate() }

        func add(_ connection: HTTPConnection) {
            connections.withLock { $0[ObjectIdentifier(connection)] = connection }
        }

        func remove(_ connection: HTTPConnection) {
            _ = connections.withLock { $0.removeValue(forKey: ObjectIdentifier(connection)) }
        }

        var all: [HTTPConnection] { connections.withLock { Array($0.values) } }
    }

    private let shared: Shared
    private let group: EventLoopGroup
    private let contexts: [LoopContext]
    private let listener = Mutex<Listener?>(nil)
    private let boundPort = Atomic<Int>(0)

    /// Creates a server; nothing is bound until ``start()``.
    public init(configuration: HTTPServerConfiguration, responder: any HTTPResponder, group: EventLoopGroup) {
        shared = Shared(configuration: configuration, responder: responder)
        self.group = group
        contexts = group.loops.map(LoopContext.init)
    }

    /// Binds the listening socket and starts accepting on every loop.
    public func start() throws(IOError) {
        let configuration = shared.configuration
        let (fd, port) = try Socket.listen(host: configuration.host, port: configuration.port, backlog: configuration.backlog)
        let listener = Listener(fileDescriptor: fd, shared: shared, contexts: contexts)
        try listener.register()
        self.listener.withLock { $0 = listener }
        boundPort.store(port, ordering: .releasing)
        for context in contexts {
            context.loop.addTicker { now in
                for connection in context.all { connection.tick(now: now) }
            }
        }
    }

    /// The bound port (after ``start()``).
    public var port: Int { boundPort.load(ordering: .acquiring) }

    /// Connections currently open.
    public var openConnectionCount: Int { shared.openConnections.load(ordering: .relaxed) }

    /// Requests whose handler is running: counted from the moment the responder is called until it returns.
    /// Requests refused while draining never reach the responder, so they do not count.
    public var requestsInFlightCount: Int { shared.requestsInFlight.load(ordering: .relaxed) }

    /// Failed `accept` calls since the server started, for one reason (`emfile`: out of descriptors).
    public func acceptErrorCount(_ reason: AcceptErrorReason) -> Int {
        shared.acceptErrors.withLock { $0[reason, default: 0] }
    }

    /// The current drain phase.
    public var drainPhase: DrainPhase { shared.drainPhase }

    /// Keeps serving, but answers every request with `Connection: close` so clients reconnect elsewhere.
    public func closeKeepAliveConnections() {
        if shared.drainPhase == .serving { shared.drainPhase = .closingConnections }
    }

    /// Stops new handshakes (those under way complete), accepts every connection the kernel queued, then closes the
    /// listening socket: a client either is accepted (and its first request answered) or is refused, never reset.
    /// Accepted connections stay open.
    public func stopAccepting() async {
        guard let listener = listener.withLock({ current -> Listener? in
            defer { current = nil }
            return current
        }) else { return }
        await listener.close()
    }

    /// Closes idle keep-alive connections now and every other one after its current response; a connection that has
    /// not sent its first request gets it answered (or closes after ``HTTPConnectionStateMachine/firstRequestGrace``),
    /// later requests get 503 with `Retry-After` (probe paths excepted).
    public func quiesce() async {
        shared.drainPhase = .draining
        await onEveryLoop { context in
            for connection in context.all { connection.quiesce() }
        }
    }

    /// Waits until every connection has closed or `timeout` passes; returns whether all closed.
    public func waitForConnectionsToClose(timeout: Duration) async -> Bool {
        let deadline = MonotonicInstant.now() + timeout
        while openConnectionCount > 0 {
            guard MonotonicInstant.now() < deadline else { return false }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return true
    }

    /// Cancels running handlers and ends every connection now.
    public func forceCloseConnections() async {
        await onEveryLoop { context in
            for connection in context.all { connection.forceClose() }
        }
    }

    private func onEveryLoop(_ body: @escaping @Sendable (LoopContext) -> Void) async {
        for context in contexts {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                context.loop.execute {
                    body(context)
                    continuation.resume()
                }
            }
        }
    }
}
