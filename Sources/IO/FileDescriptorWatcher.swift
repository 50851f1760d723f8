import Glibc
import Synchronization

/// Waits for readiness of one file descriptor owned by someone else (a libpq socket, for example).
///
/// The descriptor is registered one-shot, so each wait costs a single `epoll_ctl` and nothing fires
/// while nobody waits. A task cancelled while waiting gets `CancellationError` right away.
public final class FileDescriptorWatcher: EventLoopHandler {
    private enum State {
        case idle
        case waiting(id: UInt64, continuation: UnsafeContinuation<IOEvents, any Error>)
        case closed
    }

    private struct Storage {
        var state = State.idle
        var lastWaitID: UInt64 = 0
        var cancelledWaitID: UInt64 = 0
        var registration: EventLoopRegistration?
    }

    /// The watched descriptor.
    public let fileDescriptor: CInt
    /// The loop whose epoll watches the descriptor.
    public let loop: EventLoop
    private let storage = Mutex(Storage())

    /// Registers `fileDescriptor` with `loop`, disarmed until the first ``wait(for:)``.
    public init(fileDescriptor: CInt, loop: EventLoop) throws(IOError) {
        self.fileDescriptor = fileDescriptor
        self.loop = loop
        let registration = try loop.register(fileDescriptor, events: [], oneShot: true, handler: self)
        storage.withLock { $0.registration = registration }
    }

    /// Suspends until the descriptor reports one of `interest`, a hangup or an error.
    ///
    /// At most one wait may be pending at a time. Throws `CancellationError` if the task is cancelled.
    public func wait(for interest: IOEvents) async throws -> IOEvents {
        let waitID = storage.withLock { storage in
            storage.lastWaitID += 1
            return storage.lastWaitID
        }
        return try await withTaskCancellationHandler {
            try await withUnsafeThrowingContinuation { (continuation: UnsafeContinuation<IOEvents, any Error>) in
                let armed: Result<EventLoopRegistration, any Error> = storage.withLock { storage in
                    guard case .idle = storage.state, let registration = storage.registration else {
                        if case .closed = storage.state { return .failure(IOError(errno: EBADF, operation: "wait")) }
                        preconditionFailure("FileDescriptorWatcher supports one wait at a time")
                    }
                    if storage.cancelledWaitID == waitID { return .failure(CancellationError()) }
                    storage.state = .waiting(id: waitID, continuation: continuation)
                    return .success(registration)
                }
                let registration: EventLoopRegistration
                do {
                    registration = try armed.get()
                } catch {
                    continuation.resume(throwing: error)
                    return
                }
                // Armed outside the lock: the event can fire during `epoll_ctl`, and the loop thread taking the lock
                // for it must not find it held (a futex wait and two context switches per query).
                do {
                    try loop.rearm(fileDescriptor, registration: registration, events: interest)
                } catch {
                    // Unless a cancellation or `close()` already took the continuation, this wait failed.
                    let pending = storage.withLock { storage -> UnsafeContinuation<IOEvents, any Error>? in
                        guard case .waiting(let id, let pending) = storage.state, id == waitID else { return nil }
                        storage.state = .idle
                        return pending
                    }
                    pending?.resume(throwing: error)
                }
            }
        } onCancel: {
            let continuation = storage.withLock { storage -> UnsafeContinuation<IOEvents, any Error>? in
                guard case .waiting(let id, let continuation) = storage.state, id == waitID else {
                    storage.cancelledWaitID = waitID
                    return nil
                }
                storage.state = .idle
                return continuation
            }
            continuation?.resume(throwing: CancellationError())
        }
    }

    /// Stops watching and fails a pending wait. Call it before closing the descriptor, and not while a ``wait(for:)``
    /// may still be arming it on another thread (its late `epoll_ctl` could reach a reused descriptor number);
    /// idempotent.
    public func close() {
        typealias Taken = (UnsafeContinuation<IOEvents, any Error>?, EventLoopRegistration?)
        let (continuation, registration) = storage.withLock { storage -> Taken in
            var continuation: UnsafeContinuation<IOEvents, any Error>?
            if case .waiting(_, let pending) = storage.state { continuation = pending }
            let registration = storage.registration
            storage.state = .closed
            storage.registration = nil
            return (continuation, registration)
        }
        if let registration { loop.deregister(fileDescriptor, registration: registration) }
        continuation?.resume(throwing: IOError(errno: EBADF, operation: "wait"))
    }

    public func handleEvents(_ events: IOEvents, on loop: EventLoop) {
        let continuation = storage.withLock { storage -> UnsafeContinuation<IOEvents, any Error>? in
            guard case .waiting(_, let continuation) = storage.state else { return nil }
            storage.state = .idle
            return continuation
        }
        continuation?.resume(returning: events)
    }
}
