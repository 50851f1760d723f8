import Glibc
import IO
import Synchronization

/// The listening socket, registered with every loop; the kernel wakes one loop per new connection.
final class Listener: EventLoopHandler {
    private let fileDescriptor: CInt
    private let shared: HTTPServer.Shared
    private let contexts: [HTTPServer.LoopContext]
    private let registrations = Mutex<[EventLoopRegistration?]>([])

    /// Accepts at most this many connections per wake-up, so one loop does not starve its connections.
    private static let acceptBatch = 64
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
        self.registrations.withLock { $0 = registrations }
    }

    func handleEvents(_ events: IOEvents, on loop: EventLoop) {
        _ = acceptBatch(on: loop)
    }

    /// Accepts up to ``acceptBatch`` connections; returns true once the kernel's queue is empty.
    private func acceptBatch(on loop: EventLoop) -> Bool {
        let context = contexts[loop.index]
        for _ in 0..<Self.acceptBatch {
            guard let accepted = try? Socket.accept(fileDescriptor) else { return true }
            let count = shared.openConnections.wrappingAdd(1, ordering: .relaxed).newValue
            guard count <= shared.configuration.maxConnections else {
                // Shed at once: a short answer and a close cost less than letting the client wait.
                _ = Self.overloaded.withUnsafeBytes { send(accepted.fileDescriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                // Closing with the request still unread would send a reset that can destroy the 503 in flight. The socket
                // is non-blocking and just accepted, so this only drains a request that has already arrived: it makes the
                // reset less likely, not impossible.
                _ = Glibc.read(accepted.fileDescriptor, context.scratch.baseAddress, context.scratch.count)
                Glibc.close(accepted.fileDescriptor)
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

    /// Deregisters from every loop on that loop's thread, accepts what the kernel already queued, then closes
    /// the socket.
    ///
    /// Closing with connections still in the accept queue would reset them, and their clients picked this pod
    /// while it was an endpoint; accepted, they get their first request answered (see the drain in
    /// ``HTTPConnectionStateMachine/quiesce()``).
    func close() async {
        let registrations = self.registrations.withLock { $0 }
        for (context, registration) in zip(contexts, registrations) {
            guard let registration else { continue }
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                context.loop.execute { [fileDescriptor] in
                    context.loop.deregister(fileDescriptor, registration: registration)
                    continuation.resume()
                }
            }
        }
        // An EventLoopGroup has at least one loop, so there is always a first context.
        let loop = contexts[0].loop
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            loop.execute { [self] in
                while !acceptBatch(on: loop) {}
                // Closed right here, not after the hop back to the caller's task: a handshake that completes between
                // the last accept and the close is reset, and that hop took long enough for it to happen under load.
                Glibc.close(fileDescriptor)
                continuation.resume()
            }
        }
    }
}
