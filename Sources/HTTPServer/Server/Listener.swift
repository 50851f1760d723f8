import Glibc
import IO
import Observability
import Synchronization

/// The listening socket, registered with every loop; the kernel wakes one loop per new connection.
///
/// When `accept` fails for want of descriptors (`EMFILE`, `ENFILE`) the socket stays readable, and every loop would
/// spin on it. The listener does what libuv and Go do: it closes a spare descriptor kept for the purpose, accepts the
/// waiting connection into the freed slot, answers it 503 and closes it (its client, a load balancer, tries another
/// pod instead of waiting in the backlog), then opens the spare again. When even that fails, or for any other
/// failure, it stops watching the socket for a backoff (``AcceptBackoff``) and tries again. Failures are counted
/// (``HTTPServer/acceptErrorCount(_:)``) and logged at most once per ``warningInterval``.
final class Listener: EventLoopHandler {
    private struct State {
        var registrations: [EventLoopRegistration?] = []
        var paused = false
        var closed = false
        var backoff = AcceptBackoff()
        var spare: CInt = -1
        var lastWarning: MonotonicInstant?
        var failuresSinceWarning = 0
    }

    /// What a failed accept leaves the batch to do.
    private enum Recovery {
        /// A connection was shed through the spare descriptor; more may be waiting.
        case continueAccepting
        /// Nothing is waiting, or the listener is paused or closed.
        case stop
    }

    private let fileDescriptor: CInt
    private let shared: HTTPServer.Shared
    private let contexts: [HTTPServer.LoopContext]
    private let state = Mutex(State())
    /// Set from a failed accept until one succeeds with the spare held. Meanwhile every accept runs under the lock, so
    /// no loop takes the slot the spare frees for another; otherwise the accept path never takes it.
    private let troubled = Atomic<Bool>(false)

    /// Accepts at most this many connections per wake-up, so one loop does not starve its connections.
    /// How long handshakes under way when the listener stops get to complete: their final ACK is one round trip
    /// away, well under a millisecond inside a cluster.
    static let handshakeSettle: Duration = .milliseconds(20)
    private static let acceptBatch = 64
    /// The most often a failing accept is logged; the line counts the failures since the last one.
    static let warningInterval: Duration = .seconds(10)
    private static let overloaded: [UInt8] = Array(
        "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nRetry-After: 1\r\nConnection: close\r\n\r\n".utf8
    )

    init(fileDescriptor: CInt, shared: HTTPServer.Shared, contexts: [HTTPServer.LoopContext]) {
        self.fileDescriptor = fileDescriptor
        self.shared = shared
        self.contexts = contexts
    }

    func register() throws(IOError) {
        var registrations: [EventLoopRegistration?] = []
        for context in contexts {
            registrations.append(try context.loop.register(fileDescriptor, events: .readable, exclusive: true, handler: self))
        }
        state.withLock { state in
            state.registrations = registrations
            state.spare = Self.openSpare()
        }
    }

    func handleEvents(_ events: IOEvents, on loop: EventLoop) {
        _ = acceptBatch(on: loop)
    }

    /// Accepts up to ``acceptBatch`` connections; returns true once the kernel's queue is empty (or accepting paused).
    private func acceptBatch(on loop: EventLoop) -> Bool {
        let context = contexts[loop.index]
        for _ in 0..<Self.acceptBatch {
            let accepted: (fileDescriptor: CInt, address: String)
            do {
                let next = troubled.load(ordering: .relaxed) ? try acceptSerialized() : try Socket.accept(fileDescriptor)
                guard let next else { return true }
                accepted = next
            } catch {
                switch recover(from: error, context: context) {
                case .continueAccepting: continue
                case .stop: return true
                }
            }
            let count = shared.openConnections.wrappingAdd(1, ordering: .relaxed).newValue
            guard count <= shared.configuration.maxConnections else {
                Self.shed(accepted.fileDescriptor, context: context)
                shared.openConnections.wrappingSubtract(1, ordering: .relaxed)
                continue
            }
            Socket.setNoDelay(accepted.fileDescriptor)
            let connection = HTTPConnection(
                fileDescriptor: accepted.fileDescriptor, remoteAddress: accepted.address, loop: loop, context: context,
                server: shared, now: MonotonicInstant.now()
            )
            context.add(connection)
            do {
                try connection.start()
            } catch {
                context.remove(connection)
                Glibc.close(accepted.fileDescriptor)
                shared.openConnections.wrappingSubtract(1, ordering: .relaxed)
            }
        }
        return false
    }

    /// Answers a connection the server will not serve with a fast 503 and closes it.
    private static func shed(_ fileDescriptor: CInt, context: HTTPServer.LoopContext) {
        // Shed at once: a short answer and a close cost less than letting the client wait.
        _ = overloaded.withUnsafeBytes { send(fileDescriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        // Closing with the request still unread would send a reset that can destroy the 503 in flight. The socket is
        // non-blocking and just accepted, so this only drains a request that has already arrived: it makes the reset
        // less likely, not impossible.
        _ = Glibc.read(fileDescriptor, context.scratch.baseAddress, context.scratch.count)
        Glibc.close(fileDescriptor)
    }

    /// Accepts under the lock, getting the spare back first if descriptors have freed up; leaves the troubled state
    /// once an accept succeeds with the spare held.
    private func acceptSerialized() throws(IOError) -> (fileDescriptor: CInt, address: String)? {
        try state.withLock { state throws(IOError) in
            if state.spare < 0 { state.spare = Self.openSpare() }
            let accepted = try Socket.accept(fileDescriptor)
            if accepted != nil && state.spare >= 0 {
                state.backoff.reset()
                troubled.store(false, ordering: .relaxed)
            }
            return accepted
        }
    }

    private func recover(from error: IOError, context: HTTPServer.LoopContext) -> Recovery {
        troubled.store(true, ordering: .relaxed)
        let reason = AcceptErrorReason(errno: error.errno)
        shared.acceptErrors.withLock { $0[reason, default: 0] += 1 }
        if reason.isOutOfDescriptors {
            switch shedThroughSpare(context: context) {
            case .shed?:
                warn(reason, error, action: "the connection was answered 503 and closed")
                return .continueAccepting
            case .nothingPending?:
                return .stop
            case nil:
                break
            }
        }
        if let delay = pause() {
            warn(reason, error, action: "accepting paused for \(delay)")
        }
        return .stop
    }

    private enum SpareOutcome { case shed, nothingPending }

    /// Frees the spare descriptor, accepts into its slot and sheds that connection; nil when there was no spare or
    /// another thread took the slot first.
    private func shedThroughSpare(context: HTTPServer.LoopContext) -> SpareOutcome? {
        state.withLock { state -> SpareOutcome? in
            guard state.spare >= 0, !state.closed else { return nil }
            Glibc.close(state.spare)
            defer { state.spare = Self.openSpare() }
            switch Result(catching: { () throws(IOError) in try Socket.accept(fileDescriptor) }) {
            case .success(let accepted?):
                Self.shed(accepted.fileDescriptor, context: context)
                return .shed
            case .success(nil):
                return .nothingPending
            case .failure:
                return nil
            }
        }
    }

    /// Stops watching the socket on every loop and schedules ``resume()``; nil when already paused or closed.
    private func pause() -> Duration? {
        let delay = state.withLock { state -> Duration? in
            guard !state.paused, !state.closed else { return nil }
            state.paused = true
            for (context, registration) in zip(contexts, state.registrations) {
                guard let registration else { continue }
                context.loop.deregister(fileDescriptor, registration: registration)
            }
            state.registrations = contexts.map { _ in nil }
            return state.backoff.next()
        }
        guard let delay else { return nil }
        Task {
            try? await Task.sleep(for: delay)
            self.resume()
        }
        return delay
    }

    /// Watches the socket again after a pause; a connection still waiting wakes a loop at once.
    private func resume() {
        state.withLock { state in
            guard state.paused, !state.closed else { return }
            state.paused = false
            if state.spare < 0 { state.spare = Self.openSpare() }
            state.registrations = contexts.map { context in
                try? context.loop.register(fileDescriptor, events: .readable, exclusive: true, handler: self)
            }
        }
    }

    private func warn(_ reason: AcceptErrorReason, _ error: IOError, action: String) {
        let now = MonotonicInstant.now()
        let failures = state.withLock { state -> Int? in
            state.failuresSinceWarning += 1
            if let last = state.lastWarning, now.duration(since: last) < Self.warningInterval { return nil }
            state.lastWarning = now
            defer { state.failuresSinceWarning = 0 }
            return state.failuresSinceWarning
        }
        guard let failures else { return }
        let advice = reason.isOutOfDescriptors ? "; raise RLIMIT_NOFILE or lower HTTP_MAX_CONNECTIONS" : ""
        shared.configuration.logger.warning("\(error): \(action)\(advice)", [
            "event": "http.accept_failed", "reason": .string(reason.rawValue), "failures": .int(failures),
            "interval_ms": .milliseconds(Self.warningInterval), "open_connections": .int(shared.openConnections.load(ordering: .relaxed)),
        ])
    }

    /// A descriptor held only to be closed when the process runs out, or -1 if none could be opened.
    private static func openSpare() -> CInt {
        open("/dev/null", O_RDONLY | O_CLOEXEC)
    }

    /// Stops new handshakes, deregisters from every loop on that loop's thread, accepts what the kernel queued,
    /// then closes the socket.
    ///
    /// Closing with connections still in the accept queue would reset them, and their clients picked this pod
    /// while it was an endpoint; accepted, they get their first request answered (see the drain in
    /// ``HTTPConnectionStateMachine/quiesce()``).
    func close() async {
        // A handshake that completed between the last accept and the close would be reset, its request lost, and a
        // preempted loop thread widens that window to milliseconds. So no handshake starts after this line, the
        // ones under way get ``handshakeSettle`` to finish, and the accepts below take every one that did. Should the
        // kernel refuse the filter, the window stays as narrow as the close right after the last accept makes it.
        Socket.refuseNewHandshakes(fileDescriptor)
        let settled = ContinuousClock.now + Self.handshakeSettle
        let registrations = state.withLock { state in
            state.closed = true
            defer { state.registrations = [] }
            return state.registrations
        }
        for (context, registration) in zip(contexts, registrations) {
            guard let registration else { continue }
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                context.loop.execute { [fileDescriptor] in
                    context.loop.deregister(fileDescriptor, registration: registration)
                    continuation.resume()
                }
            }
        }
        try? await Task.sleep(until: settled)
        // An EventLoopGroup has at least one loop, so there is always a first context.
        let loop = contexts[0].loop
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            loop.execute { [self] in
                while !acceptBatch(on: loop) {}
                Glibc.close(fileDescriptor)
                let spare = state.withLock { state in
                    defer { state.spare = -1 }
                    return state.spare
                }
                if spare >= 0 { Glibc.close(spare) }
                continuation.resume()
            }
        }
    }
}
