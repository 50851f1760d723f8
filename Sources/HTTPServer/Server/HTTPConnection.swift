import Glibc
import IO
import Synchronization

/// One accepted TCP connection: reads and parses on its event loop, runs handlers in tasks, writes responses.
///
/// Ownership of the socket follows ``HTTPConnectionStateMachine/loopOwnsSocket``: the loop reads and
/// flushes, the request task writes the response it produced and parses pipelined requests already
/// buffered. Transitions happen under `core`'s lock; syscalls and buffer work happen outside it, by
/// the current owner only. Edge-triggered epoll reports readiness once, so an edge that arrives while
/// the task owns the socket is remembered in `readPending` and the loop is asked to look again.
final class HTTPConnection: EventLoopHandler, @unchecked Sendable {
    private struct Core {
        var machine: HTTPConnectionStateMachine
        var readPending = false
        /// The peer shut down its side (or the socket failed): a short read no longer means "nothing more",
        /// because the end-of-stream behind the data produces no further edge.
        var peerHungUp = false
        var task: Task<Void, Never>?
    }

    /// A parsed request waiting for its handler, with what its response needs to know.
    struct Exchange {
        var request: Request
        var keepAlive: Bool
        var http10KeepAlive: Bool
        var isHead: Bool
        var received: MonotonicInstant
    }

    /// What parsing the buffered bytes produced.
    private enum ParseStep {
        case nothing
        case partial(headComplete: Bool, expectsContinue: Bool)
        case failed(HTTPParseError)
        case request(Exchange)
    }

    let fileDescriptor: CInt
    let remoteAddress: String
    private let loop: EventLoop
    private let server: HTTPServer.Shared
    private let context: HTTPServer.LoopContext
    private let core: Mutex<Core>
    private var registration: EventLoopRegistration?

    // Touched only by the current owner of the socket (see the type's documentation).
    private let inbound = ByteBuffer()
    private var parser: HTTPRequestParser
    private var sentContinue = false
    private var outbound: [UInt8] = []
    private var outboundOffset = 0
    private var pendingRecord: HTTPRequestRecord?

    private static let interimContinue: [UInt8] = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)

    init(
        fileDescriptor: CInt, remoteAddress: String, loop: EventLoop, context: HTTPServer.LoopContext, server: HTTPServer.Shared,
        now: MonotonicInstant
    ) {
        self.fileDescriptor = fileDescriptor
        self.remoteAddress = remoteAddress
        self.loop = loop
        self.context = context
        self.server = server
        core = Mutex(Core(machine: HTTPConnectionStateMachine(timeouts: server.configuration.timeouts, now: now)))
        parser = HTTPRequestParser(limits: server.configuration.limits)
    }

    /// Registers with the loop; runs on the loop's thread, before any event for the socket can be handled.
    func start() throws(IOError) {
        registration = try loop.register(fileDescriptor, events: [.readable, .writable], edgeTriggered: true, handler: self)
    }

    // MARK: Loop side

    func handleEvents(_ events: IOEvents, on loop: EventLoop) {
        let hungUp = !events.isDisjoint(with: [.hangup, .error])
        let (state, peerHungUp) = core.withLock { core -> (HTTPConnectionStateMachine.State?, Bool) in
            if hungUp { core.peerHungUp = true }
            guard core.machine.loopOwnsSocket else {
                core.readPending = true
                return (nil, core.peerHungUp)
            }
            return (core.machine.state, core.peerHungUp)
        }
        switch state {
        case .writing?: flush()
        case .lingering?: drainLingering()
        case .some: readAndProcess(peerHungUp: peerHungUp)
        case nil: break
        }
    }

    /// Applies timeouts; runs on the loop's thread from the server's ticker.
    func tick(now: MonotonicInstant) {
        let (action, task) = core.withLock { core in (core.machine.tick(now: now), core.task) }
        switch action {
        case .none:
            break
        case .close:
            finishClose()
        case .reset:
            Socket.setAbortiveClose(fileDescriptor)
            finishClose()
        case .respondAndClose(let status):
            writeFinalError(status)
            finishClose()
        case .cancelHandlerAndClose:
            // The handler's task does not touch the socket while it runs, so the loop may answer for it.
            task?.cancel()
            writeFinalError(.serviceUnavailable)
            finishClose()
        }
    }

    /// Starts the shutdown drain for this connection; runs on the loop's thread.
    func quiesce() {
        if core.withLock({ $0.machine.quiesce() }) == .close { finishClose() }
    }

    /// Ends the connection whatever its state, cancelling a running handler; runs on the loop's thread.
    ///
    /// Shutting the socket down (rather than closing it) makes whoever owns it see the end and close
    /// it through the normal path, so no thread can ever write to a reused descriptor number.
    func forceClose() {
        // Shut down before cancelling, so a cancelled handler's answer can never be written; and under
        // the lock only while not closed, because the task may close the descriptor (freeing its number).
        let (open, task) = core.withLock { core -> (Bool, Task<Void, Never>?) in
            guard core.machine.state != .closed else { return (false, nil) }
            shutdown(fileDescriptor, Int32(SHUT_RDWR))
            return (true, core.task)
        }
        guard open else { return }
        task?.cancel()
        handleEvents(.hangup, on: loop)
    }

    private func resumeOnLoop() {
        loop.execute { [self] in handleEvents(.readable, on: loop) }
    }

    private func readAndProcess(peerHungUp: Bool) {
        let scratch = context.scratch
        while true {
            let received = Glibc.read(fileDescriptor, scratch.baseAddress, scratch.count)
            if received == 0 {
                // The peer closed; any buffered request is incomplete (complete ones are answered first).
                terminate()
                return
            }
            if received < 0 {
                switch errno {
                case EINTR: continue
                case EAGAIN, EWOULDBLOCK: return
                default:
                    terminate()
                    return
                }
            }
            let chunk = UnsafeRawBufferPointer(rebasing: scratch[..<received])
            let step: ParseStep
            if inbound.isEmpty {
                // The common case: a whole request in one read, parsed straight from the loop's scratch buffer.
                let (parsed, consumed) = parse(chunk)
                step = parsed
                inbound.append(UnsafeRawBufferPointer(rebasing: chunk[consumed...]))
            } else {
                inbound.append(chunk)
                let (parsed, consumed) = parse(inbound.readable)
                step = parsed
                inbound.consume(consumed)
            }
            // A short read drains the socket, unless an end-of-stream may still sit behind the data.
            let drained = received < scratch.count && !peerHungUp
            switch step {
            case .request(let exchange):
                dispatch(exchange, morePending: !drained)
                return
            case .failed(let error):
                fail(error, onLoop: true)
                return
            case .partial(let headComplete, let expectsContinue):
                applyPartial(headComplete: headComplete, expectsContinue: expectsContinue)
            case .nothing:
                break
            }
            if drained { return }
        }
    }

    /// Parses the request at the start of `bytes`; returns the step and how many bytes a complete request used.
    private func parse(_ bytes: UnsafeRawBufferPointer) -> (ParseStep, Int) {
        guard bytes.count > 0 else { return (.nothing, 0) }
        switch parser.parse(bytes) {
        case .needMore:
            return (parser.hasStartedRequest ? .partial(headComplete: false, expectsContinue: false) : .nothing, 0)
        case .awaitingBody(let expectsContinue):
            return (.partial(headComplete: true, expectsContinue: expectsContinue), 0)
        case .failed(let error):
            return (.failed(error), 0)
        case .complete(let head, let body, let consumed):
            parser = HTTPRequestParser(limits: server.configuration.limits)
            sentContinue = false
            let request = Request(
                method: head.method, path: head.path, query: head.query, version: head.version, headers: head.headers,
                body: body, id: server.requestID(from: head.headers), trace: server.traceContext(from: head.headers),
                remoteAddress: remoteAddress
            )
            let exchange = Exchange(
                request: request, keepAlive: head.keepAlive, http10KeepAlive: head.keepAlive && head.version == .http1_0,
                isHead: head.method == .head, received: MonotonicInstant.now()
            )
            return (.request(exchange), consumed)
        }
    }

    private func applyPartial(headComplete: Bool, expectsContinue: Bool) {
        let now = MonotonicInstant.now()
        core.withLock { core in
            core.machine.bytesReceived(now: now)
            if headComplete { core.machine.headReceived(now: now) }
        }
        if expectsContinue && !sentContinue {
            sentContinue = true
            // Tiny and alone on the wire (the client waits for it), so it always fits the send buffer.
            _ = Self.interimContinue.withUnsafeBytes { send(fileDescriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        }
    }

    /// Hands a request parsed on the loop to a new task.
    private func dispatch(_ exchange: Exchange, morePending: Bool) {
        core.withLock { core in
            core.machine.requestReceived(now: exchange.received)
            if morePending { core.readPending = true }
            core.task = Task { await self.serve(exchange) }
        }
    }

    /// Answers a malformed request and closes; the loop writes the answer.
    private func fail(_ error: HTTPParseError, onLoop: Bool) {
        let status = error.status
        let body = Array("{\"type\":\"about:blank\",\"title\":\"\(status.reasonPhrase)\",\"status\":\(status.code)}".utf8)
        let response = Response(status: status, headers: ["Content-Type": "application/problem+json"], body: body)
        outbound.removeAll(keepingCapacity: true)
        outboundOffset = 0
        ResponseEncoder.encode(response, keepAlive: false, http10KeepAlive: false, omitBody: false, requestID: nil, into: &outbound)
        pendingRecord = HTTPRequestRecord(
            method: nil, route: nil, status: status.code, duration: .zero, bytesSent: outbound.count, requestID: nil,
            remoteAddress: remoteAddress
        )
        let now = MonotonicInstant.now()
        core.withLock { core in
            if case .responding = core.machine.state { core.machine.responseWritten(now: now, closeAfter: false) }
            core.machine.writeBlocked(now: now, closeAfter: true)
        }
        if onLoop { flush() } else { resumeOnLoop() }
    }

    /// Writes the rest of `outbound` from the loop, then moves on to the next request or closes.
    private func flush() {
        switch writeOutbound(closeAfter: false) {
        case .blocked:
            return
        case .failed:
            terminate()
        case .complete:
            reportResponse()
            let now = MonotonicInstant.now()
            let closeAfter = core.withLock { core -> Bool in
                guard case .writing(_, let closeAfter) = core.machine.state else { return true }
                core.machine.responseWritten(now: now, closeAfter: closeAfter)
                return closeAfter
            }
            if closeAfter {
                shutdown(fileDescriptor, Int32(SHUT_WR))
                drainLingering()
                return
            }
            let (step, consumed) = parse(inbound.readable)
            inbound.consume(consumed)
            switch step {
            case .request(let exchange):
                dispatch(exchange, morePending: false)
            case .failed(let error):
                fail(error, onLoop: true)
            case .partial(let headComplete, let expectsContinue):
                applyPartial(headComplete: headComplete, expectsContinue: expectsContinue)
                fallthrough
            case .nothing:
                let (pending, peerHungUp) = core.withLock { core -> (Bool, Bool) in
                    defer { core.readPending = false }
                    return (core.readPending, core.peerHungUp)
                }
                if pending { readAndProcess(peerHungUp: peerHungUp) }
            }
        }
    }

    /// Reads and discards until the peer closes; the lingering timeout bounds how long.
    private func drainLingering() {
        let scratch = context.scratch
        while true {
            let received = Glibc.read(fileDescriptor, scratch.baseAddress, scratch.count)
            if received > 0 { continue }
            if received < 0 && errno == EINTR { continue }
            if received < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { return }
            terminate()
            return
        }
    }

    // MARK: Task side

    private func serve(_ first: Exchange) async {
        var next: Exchange? = first
        while let exchange = next {
            let response: Response
            // The first request of a connection accepted before the listener closed was routed here while this pod
            // was an endpoint: serve it. A later one on a kept-alive connection is told to go elsewhere.
            if server.rejectsNewRequests && !server.configuration.isDrainExempt(exchange.request.path)
                && core.withLock({ $0.machine.requestsServed > 0 })
            {
                response = HTTPError(.serviceUnavailable, detail: "The server is shutting down.", headers: ["Retry-After": "1"])
                    .response(requestID: exchange.request.id)
            } else {
                response = await handle(exchange.request)
            }
            next = respond(response, to: exchange)
        }
    }

    /// Calls the responder, counted in ``HTTPServer/requestsInFlightCount`` while it runs.
    private func handle(_ request: Request) async -> Response {
        server.requestsInFlight.wrappingAdd(1, ordering: .relaxed)
        defer { server.requestsInFlight.wrappingSubtract(1, ordering: .relaxed) }
        return await server.responder.respond(to: request)
    }

    /// Writes a handler's response; returns the next pipelined request to handle in this task, if any.
    private func respond(_ response: Response, to exchange: Exchange) -> Exchange? {
        let keepAliveAllowed = server.allowsKeepAlive
        let (started, keepAlive) = core.withLock { core -> (Bool, Bool) in
            (core.machine.responseStarted(), keepAliveAllowed && core.machine.keepsAlive(clientWantsKeepAlive: exchange.keepAlive))
        }
        guard started else { return nil }
        outbound.removeAll(keepingCapacity: true)
        outboundOffset = 0
        ResponseEncoder.encode(
            response, keepAlive: keepAlive, http10KeepAlive: exchange.http10KeepAlive && keepAlive, omitBody: exchange.isHead,
            requestID: exchange.request.id, into: &outbound
        )
        // One clock read ends the request's duration and starts the keep-alive idle window: only the send and the
        // access-log line lie between the two, and each read is a measurable share of a small request's cost.
        let now = MonotonicInstant.now()
        pendingRecord = HTTPRequestRecord(
            method: exchange.request.method, route: response.route, status: response.status.code,
            duration: now.duration(since: exchange.received), bytesSent: outbound.count,
            requestID: exchange.request.id, trace: exchange.request.trace, remoteAddress: remoteAddress
        )
        switch writeOutbound(closeAfter: !keepAlive) {
        case .failed:
            terminate()
            return nil
        case .blocked:
            // An edge may have arrived while this task owned the socket; the loop flushes from here on.
            resumeOnLoop()
            return nil
        case .complete:
            reportResponse()
        }
        if !keepAlive {
            core.withLock { $0.machine.responseWritten(now: now, closeAfter: true) }
            shutdown(fileDescriptor, Int32(SHUT_WR))
            resumeOnLoop()
            return nil
        }
        let (step, consumed) = parse(inbound.readable)
        inbound.consume(consumed)
        switch step {
        case .request(let exchange):
            core.withLock { core in
                core.machine.responseWritten(now: now, closeAfter: false)
                core.machine.requestReceived(now: exchange.received)
            }
            return exchange
        case .failed(let error):
            fail(error, onLoop: false)
            return nil
        case .partial(let headComplete, let expectsContinue):
            let sendContinue = expectsContinue && !sentContinue
            if sendContinue { sentContinue = true }
            let pending = core.withLock { core -> Bool in
                core.machine.responseWritten(now: now, closeAfter: false)
                core.machine.bytesReceived(now: now)
                if headComplete { core.machine.headReceived(now: now) }
                return core.readPending
            }
            if sendContinue {
                _ = Self.interimContinue.withUnsafeBytes { send(fileDescriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            }
            if pending { resumeOnLoop() }
            return nil
        case .nothing:
            let pending = core.withLock { core -> Bool in
                core.machine.responseWritten(now: now, closeAfter: false)
                return core.readPending
            }
            if pending { resumeOnLoop() }
            return nil
        }
    }

    // MARK: Shared

    private enum WriteResult { case complete, blocked, failed }

    private func writeOutbound(closeAfter: Bool) -> WriteResult {
        while outboundOffset < outbound.count {
            let written = outbound.withUnsafeBytes { bytes in
                send(fileDescriptor, bytes.baseAddress! + outboundOffset, bytes.count - outboundOffset, Int32(MSG_NOSIGNAL))
            }
            if written >= 0 {
                outboundOffset += written
                continue
            }
            switch errno {
            case EINTR:
                continue
            case EAGAIN, EWOULDBLOCK:
                core.withLock { $0.machine.writeBlocked(now: MonotonicInstant.now(), closeAfter: closeAfter) }
                return .blocked
            default:
                return .failed
            }
        }
        if outbound.count > 64 * 1024 { outbound = [] }
        return .complete
    }

    private func reportResponse() {
        guard let record = pendingRecord else { return }
        pendingRecord = nil
        server.configuration.onRequestFinished?(record)
    }

    private func writeFinalError(_ status: HTTPStatus) {
        var bytes: [UInt8] = []
        var headers = HTTPHeaders()
        if status == .serviceUnavailable { headers.add(name: "Retry-After", value: "1") }
        ResponseEncoder.encode(
            Response(status: status, headers: headers), keepAlive: false, http10KeepAlive: false, omitBody: false, requestID: nil,
            into: &bytes
        )
        _ = bytes.withUnsafeBytes { send(fileDescriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        server.configuration.onRequestFinished?(
            HTTPRequestRecord(
                method: nil, route: nil, status: status.code, duration: .zero, bytesSent: bytes.count, requestID: nil,
                remoteAddress: remoteAddress
            )
        )
    }

    private func terminate() {
        if core.withLock({ $0.machine.terminate() }) == .close { finishClose() }
    }

    /// Releases the socket; runs exactly once, by whoever moved the state machine to closed.
    private func finishClose() {
        core.withLock { $0.task = nil }
        Glibc.close(fileDescriptor)
        if let registration { loop.forget(registration) }
        server.connectionClosed(self, context: context)
    }
}
