import CIOShims
import Glibc
import Synchronization

/// One epoll instance served by one dedicated thread.
///
/// The thread only waits for readiness and runs short, non-blocking reactions to it: handler code
/// that may take time runs in Swift tasks elsewhere. Each pass of the loop records a heartbeat, so a
/// loop that stops turning (a blocked handler, a livelock) is visible to the liveness probe.
public final class EventLoop: Sendable {
    /// The loop's position in its group, used in thread names and logs.
    public let index: Int

    private let epollFD: CInt
    private let wakeFD: CInt
    private let handlers = Mutex(HandlerTable())
    private let pendingWork = Mutex<[@Sendable () -> Void]>([])
    private let wakePending = Atomic<Bool>(false)
    private let heartbeatNanoseconds = Atomic<UInt64>(0)
    private let stopRequested = Atomic<Bool>(false)
    private let tickers = Mutex<[@Sendable (MonotonicInstant) -> Void]>([])

    /// How often tickers run and the longest the loop sleeps without a heartbeat.
    static let tickInterval: Duration = .milliseconds(250)
    private static let wakeToken = UInt64.max
    private static let maxEventsPerWait: CInt = 256

    init(index: Int) throws(IOError) {
        self.index = index
        epollFD = epoll_create1(CInt(EPOLL_CLOEXEC))
        guard epollFD >= 0 else { throw .current("epoll_create1") }
        wakeFD = eventfd(0, CInt(EFD_NONBLOCK | EFD_CLOEXEC))
        guard wakeFD >= 0 else {
            let error = IOError.current("eventfd")
            close(epollFD)
            throw error
        }
        guard cio_epoll_ctl(epollFD, EPOLL_CTL_ADD, wakeFD, UInt32(EPOLLIN.rawValue), Self.wakeToken) == 0 else {
            let error = IOError.current("epoll_ctl")
            close(wakeFD)
            close(epollFD)
            throw error
        }
        heartbeatNanoseconds.store(MonotonicInstant.now().nanoseconds, ordering: .relaxed)
    }

    deinit {
        close(wakeFD)
        close(epollFD)
    }

    /// The last time the loop's thread came back from `epoll_wait`; an idle loop beats at least every 250 ms.
    public var lastHeartbeat: MonotonicInstant {
        MonotonicInstant(nanoseconds: heartbeatNanoseconds.load(ordering: .relaxed))
    }

    /// The number of file descriptors currently registered (listeners, connections, watchers).
    public var registrationCount: Int {
        handlers.withLock { $0.count }
    }

    /// Registers `fileDescriptor` and the handler that reacts to it.
    ///
    /// - Parameters:
    ///   - events: The readiness to watch; hangup and error are always reported.
    ///   - edgeTriggered: Report each change once (`EPOLLET`) instead of while the condition holds.
    ///   - oneShot: Disarm after one report until ``rearm(_:registration:events:)``.
    ///   - exclusive: Wake only one of the loops sharing the descriptor (`EPOLLEXCLUSIVE`), for listeners.
    public func register(
        _ fileDescriptor: CInt,
        events: IOEvents,
        edgeTriggered: Bool = false,
        oneShot: Bool = false,
        exclusive: Bool = false,
        handler: any EventLoopHandler
    ) throws(IOError) -> EventLoopRegistration {
        let registration = handlers.withLock { $0.insert(handler) }
        // EPOLLEXCLUSIVE refuses EPOLLRDHUP, and a listener has no peer to hang up anyway.
        var flags = events.rawValue | (exclusive ? 0 : UInt32(EPOLLRDHUP.rawValue))
        if edgeTriggered { flags |= UInt32(EPOLLET.rawValue) }
        if oneShot { flags |= UInt32(EPOLLONESHOT.rawValue) }
        if exclusive { flags |= UInt32(EPOLLEXCLUSIVE.rawValue) }
        guard cio_epoll_ctl(epollFD, EPOLL_CTL_ADD, fileDescriptor, flags, registration.rawValue) == 0 else {
            let error = IOError.current("epoll_ctl(ADD)")
            _ = handlers.withLock { $0.remove(registration) }
            throw error
        }
        return registration
    }

    /// Re-arms a one-shot registration for `events`.
    public func rearm(_ fileDescriptor: CInt, registration: EventLoopRegistration, events: IOEvents) throws(IOError) {
        let flags = events.rawValue | UInt32(EPOLLRDHUP.rawValue) | UInt32(EPOLLONESHOT.rawValue)
        guard cio_epoll_ctl(epollFD, EPOLL_CTL_MOD, fileDescriptor, flags, registration.rawValue) == 0 else {
            throw .current("epoll_ctl(MOD)")
        }
    }

    /// Stops watching `fileDescriptor` and releases its handler. Call it before closing the descriptor.
    public func deregister(_ fileDescriptor: CInt, registration: EventLoopRegistration) {
        // ENOENT/EBADF are fine here: closing a descriptor already removes it from epoll.
        _ = cio_epoll_ctl(epollFD, EPOLL_CTL_DEL, fileDescriptor, 0, 0)
        _ = handlers.withLock { $0.remove(registration) }
    }

    /// Forgets a handler whose descriptor has already been closed (closing removes it from epoll).
    public func forget(_ registration: EventLoopRegistration) {
        _ = handlers.withLock { $0.remove(registration) }
    }

    /// Runs `work` on the loop's thread soon. `work` must not block.
    public func execute(_ work: @escaping @Sendable () -> Void) {
        pendingWork.withLock { $0.append(work) }
        wake()
    }

    /// Calls `body` on the loop's thread about every 250 ms with the current time (timeout sweeps).
    public func addTicker(_ body: @escaping @Sendable (MonotonicInstant) -> Void) {
        tickers.withLock { $0.append(body) }
    }

    func requestStop() {
        stopRequested.store(true, ordering: .releasing)
        wake()
    }

    private func wake() {
        guard !wakePending.exchange(true, ordering: .acquiringAndReleasing) else { return }
        var one: UInt64 = 1
        _ = Glibc.write(wakeFD, &one, 8)
    }

    /// The body of the loop's thread: returns after ``requestStop()``.
    func run() {
        let eventSize = cio_epoll_event_size()
        let buffer = UnsafeMutableRawPointer.allocate(
            byteCount: eventSize * Int(Self.maxEventsPerWait),
            alignment: 16
        )
        defer { buffer.deallocate() }
        var nextTick = MonotonicInstant.now() + Self.tickInterval
        let timeoutMilliseconds = CInt(Self.tickInterval.nanoseconds / 1_000_000)
        var work: [@Sendable () -> Void] = []

        while !stopRequested.load(ordering: .acquiring) {
            let count = epoll_wait(epollFD, buffer.assumingMemoryBound(to: epoll_event.self), Self.maxEventsPerWait, timeoutMilliseconds)
            let now = MonotonicInstant.now()
            heartbeatNanoseconds.store(now.nanoseconds, ordering: .relaxed)
            if count < 0 {
                if errno == EINTR { continue }
                fatalError("epoll_wait failed: \(IOError.current("epoll_wait"))")
            }
            for offset in 0..<Int(count) {
                let event = (buffer + offset * eventSize).assumingMemoryBound(to: epoll_event.self)
                let token = cio_epoll_event_data(event)
                if token == Self.wakeToken {
                    var value: UInt64 = 0
                    _ = Glibc.read(wakeFD, &value, 8)
                    continue
                }
                let registration = EventLoopRegistration(rawValue: token)
                guard let handler = handlers.withLock({ $0.handler(for: registration) }) else { continue }
                handler.handleEvents(IOEvents(rawValue: cio_epoll_event_events(event)), on: self)
            }
            runPendingWork(swappingWith: &work)
            if now >= nextTick {
                nextTick = now + Self.tickInterval
                for ticker in tickers.withLock({ $0 }) { ticker(now) }
            }
        }
        runPendingWork(swappingWith: &work)
    }

    /// Runs the work queued by ``execute(_:)``, taking it by swapping arrays with the loop's empty `work`.
    ///
    /// Swapping holds the lock for a few stores and never allocates; copying the queue out would allocate
    /// a new buffer under the lock on every pass, and threads calling `execute` would wait for it.
    private func runPendingWork(swappingWith work: inout [@Sendable () -> Void]) {
        wakePending.store(false, ordering: .releasing)
        pendingWork.withLock { swap(&$0, &work) }
        for item in work { item() }
        work.removeAll(keepingCapacity: true)
    }
}
