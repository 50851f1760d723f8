public import IO

/// The life of one HTTP/1.1 connection as a pure value: no sockets, no clocks, no threads.
///
/// The connection's owner feeds it events with the current time and performs the returned action.
/// It decides who owns the socket (the event loop while reading and flushing, the request task
/// while a handler runs), which timeout applies, and when the connection must close.
public struct HTTPConnectionStateMachine: Sendable {
    /// Where the connection is.
    public enum State: Hashable, Sendable {
        /// Waiting for the first byte of the next request (keep-alive), since the given time.
        case idle(since: MonotonicInstant)
        /// A request head is arriving; it started at the given time.
        case readingHead(started: MonotonicInstant)
        /// The head is complete, the body is arriving; the head completed at the given time.
        case readingBody(started: MonotonicInstant)
        /// A handler is running and must finish by `deadline`.
        case handling(deadline: MonotonicInstant)
        /// The request task is writing the response.
        case responding
        /// The socket's send buffer is full; the loop flushes the rest. `lastProgress` is the last write that moved bytes.
        case writing(lastProgress: MonotonicInstant, closeAfter: Bool)
        /// The last response is sent and our side is shut down; draining the peer's remaining bytes until it closes.
        case lingering(since: MonotonicInstant)
        /// Closed.
        case closed
    }

    /// What the owner must do.
    public enum Action: Hashable, Sendable {
        /// Nothing.
        case none
        /// Answer with `status` (plus `Connection: close`), then close.
        case respondAndClose(HTTPStatus)
        /// Cancel the running handler, answer 503, then close.
        case cancelHandlerAndClose
        /// Close the socket now.
        case close
        /// Abort the connection (RST): the kernel drops what it still holds for a client that stopped reading,
        /// instead of keeping an orphaned send buffer alive for minutes.
        case reset
    }

    /// The timeouts that apply in each state.
    public struct Timeouts: Sendable, Hashable {
        /// Time to receive a whole request head (408 after). Also how long a new connection may stay silent.
        public var header: Duration
        /// Time to receive a whole body once the head is in (408 after).
        public var body: Duration
        /// How long a keep-alive connection may wait for its next request.
        public var idle: Duration
        /// How long a write may make no progress before the client is given up on.
        public var write: Duration
        /// How long a handler may run (then it is cancelled and the client gets 503).
        public var handler: Duration
        /// How long to drain a closing peer after our final response.
        public var linger: Duration

        /// Creates timeouts; the defaults suit a service behind a load balancer.
        public init(
            header: Duration = .seconds(10), body: Duration = .seconds(30), idle: Duration = .seconds(75), write: Duration = .seconds(30),
            handler: Duration = .seconds(30), linger: Duration = .seconds(2)
        ) {
            self.header = header
            self.body = body
            self.idle = idle
            self.write = write
            self.handler = handler
            self.linger = linger
        }
    }

    /// The current state.
    public private(set) var state: State
    /// Whether the connection closes after its current exchange (shutdown drain).
    public private(set) var isQuiescing = false
    /// Requests fully answered on this connection.
    public private(set) var requestsServed = 0
    private let timeouts: Timeouts

    /// How long a connection accepted just before the drain may take to send its first request.
    ///
    /// Its client chose this pod while it was still an endpoint and its request is usually already on the
    /// wire: closing it unserved would fail a request the client cannot know is safe to retry.
    public static let firstRequestGrace: Duration = .seconds(1)

    /// A new connection, accepted at `now`.
    public init(timeouts: Timeouts, now: MonotonicInstant) {
        self.timeouts = timeouts
        state = .idle(since: now)
    }

    /// Whether the event loop owns the socket (reads, flushes, closes) in the current state.
    public var loopOwnsSocket: Bool {
        switch state {
        case .idle, .readingHead, .readingBody, .writing, .lingering: true
        case .handling, .responding, .closed: false
        }
    }

    /// Bytes of a request arrived.
    public mutating func bytesReceived(now: MonotonicInstant) {
        if case .idle = state { state = .readingHead(started: now) }
    }

    /// The head of a request is complete and its body is still arriving.
    public mutating func headReceived(now: MonotonicInstant) {
        if case .readingHead = state { state = .readingBody(started: now) }
    }

    /// A whole request arrived and a handler starts now.
    public mutating func requestReceived(now: MonotonicInstant) {
        switch state {
        case .idle, .readingHead, .readingBody: state = .handling(deadline: now + timeouts.handler)
        default: preconditionFailure("request received in state \(state)")
        }
    }

    /// The handler returned; returns false if the connection was closed meanwhile (timeout), so the response is dropped.
    public mutating func responseStarted() -> Bool {
        guard case .handling = state else { return false }
        state = .responding
        return true
    }

    /// Whether a response about to be written keeps the connection open.
    public func keepsAlive(clientWantsKeepAlive: Bool) -> Bool {
        clientWantsKeepAlive && !isQuiescing
    }

    /// The socket would block; the loop takes over the rest of the response.
    public mutating func writeBlocked(now: MonotonicInstant, closeAfter: Bool) {
        switch state {
        case .responding, .idle, .readingHead, .readingBody:
            state = .writing(lastProgress: now, closeAfter: closeAfter)
        case .writing(_, let wasClosing):
            state = .writing(lastProgress: now, closeAfter: closeAfter || wasClosing)
        default:
            break
        }
    }

    /// A response was written completely: the connection waits for its next request, or, when
    /// `closeAfter`, lingers (the caller shuts down its writing side and drains the peer).
    public mutating func responseWritten(now: MonotonicInstant, closeAfter: Bool) {
        guard state != .closed else { return }
        requestsServed += 1
        state = closeAfter ? .lingering(since: now) : .idle(since: now)
    }

    /// Starts the shutdown drain: an idle keep-alive connection closes now, a busy one after its current
    /// response, a new one once it has been answered (or stayed silent for ``firstRequestGrace``).
    public mutating func quiesce() -> Action {
        isQuiescing = true
        switch state {
        case .idle where requestsServed > 0:
            state = .closed
            return .close
        default:
            return .none
        }
    }

    /// The peer closed, the socket failed, or the owner gave up: the connection is closed.
    ///
    /// - Returns: `.close` the first time, so exactly one caller closes the socket.
    public mutating func terminate() -> Action {
        guard state != .closed else { return .none }
        state = .closed
        return .close
    }

    /// Applies the timeout of the current state at `now`.
    public mutating func tick(now: MonotonicInstant) -> Action {
        switch state {
        case .idle(let since):
            var limit = requestsServed == 0 ? timeouts.header : timeouts.idle
            if isQuiescing {
                // A response already promised keep-alive when the drain began: close at the next tick, not after `idle`.
                limit = requestsServed == 0 ? min(limit, Self.firstRequestGrace) : .zero
            }
            guard since + limit <= now else { return .none }
            state = .closed
            return .close
        case .readingHead(let started):
            guard started + timeouts.header <= now else { return .none }
            state = .closed
            return .respondAndClose(.requestTimeout)
        case .readingBody(let started):
            guard started + timeouts.body <= now else { return .none }
            state = .closed
            return .respondAndClose(.requestTimeout)
        case .handling(let deadline):
            guard deadline <= now else { return .none }
            state = .closed
            return .cancelHandlerAndClose
        case .writing(let lastProgress, _):
            guard lastProgress + timeouts.write <= now else { return .none }
            state = .closed
            return .reset
        case .lingering(let since):
            guard since + timeouts.linger <= now else { return .none }
            state = .closed
            return .close
        case .responding, .closed:
            return .none
        }
    }
}
