import Glibc
import Synchronization

/// A raw TCP client for socket tests: exact bytes out, strict parsing in, a deadline on every wait.
///
/// Every method is `async` and runs its system calls on a thread of its own (see ``Blocking``), so a
/// server that hangs fails the test by timeout instead of hanging CI or starving the server's tasks.
/// Calls on one client must not overlap (tests use a client from one task at a time).
public final class TCPClient: Sendable {
    /// The connected socket (non-blocking; waits use `poll` with a deadline).
    public let fileDescriptor: CInt
    /// Bytes received but not yet returned as a response (pipelined responses, interim `100 Continue`).
    private let pending = Mutex<[UInt8]>([])
    private let closed = Atomic<Bool>(false)

    /// The default deadline for one wait.
    public static let defaultTimeout: Duration = .seconds(5)

    /// Connects to `host:port` (a numeric IPv4 or IPv6 address).
    ///
    /// - Parameter receiveBufferSize: Shrinks the socket's receive buffer before connecting (a client
    ///   that is slow to read fills up sooner).
    public static func connect(host: String = "127.0.0.1", port: Int, receiveBufferSize: Int? = nil) async throws -> TCPClient {
        try await Blocking.run { try TCPClient(host: host, port: port, receiveBufferSize: receiveBufferSize) }
    }

    /// Connects synchronously, blocking the calling thread; for use inside ``Blocking/run(_:)``. A `host` with a colon
    /// is an IPv6 literal (`::1`).
    public init(host: String = "127.0.0.1", port: Int, receiveBufferSize: Int? = nil) throws(TCPClientError) {
        let isIPv6 = host.contains(":")
        let fd = socket(isIPv6 ? AF_INET6 : AF_INET, CInt(SOCK_STREAM.rawValue) | CInt(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw .system(errno, "socket") }
        if var size = receiveBufferSize.map(CInt.init) {
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<CInt>.size))
        }
        let status: CInt
        if isIPv6 {
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_port = in_port_t(UInt16(port).bigEndian)
            inet_pton(AF_INET6, host, &address.sin6_addr)
            status = Self.connect(fd, to: &address)
        } else {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            inet_pton(AF_INET, host, &address.sin_addr)
            status = Self.connect(fd, to: &address)
        }
        guard status == 0 else {
            let error = TCPClientError.system(errno, "connect")
            Glibc.close(fd)
            throw error
        }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        var one: CInt = 1
        setsockopt(fd, CInt(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<CInt>.size))
        fileDescriptor = fd
    }

    /// `connect(2)` to a `sockaddr_in` or `sockaddr_in6`.
    private static func connect<Address>(_ fd: CInt, to address: inout Address) -> CInt {
        withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<Address>.size)) }
        }
    }

    deinit {
        if !closed.load(ordering: .relaxed) { Glibc.close(fileDescriptor) }
    }

    /// Closes the socket now (idempotent).
    public func close() {
        if !closed.exchange(true, ordering: .relaxed) { Glibc.close(fileDescriptor) }
    }

    /// Shuts down the writing side: the server reads end-of-stream but may still answer.
    public func shutdownWrite() {
        shutdown(fileDescriptor, CInt(SHUT_WR))
    }

    // MARK: Async API

    /// Writes all of `text`'s UTF-8 bytes.
    public func send(_ text: String, timeout: Duration = defaultTimeout) async throws {
        try await send(Array(text.utf8), timeout: timeout)
    }

    /// Writes all of `bytes`.
    public func send(_ bytes: [UInt8], timeout: Duration = defaultTimeout) async throws {
        try await Blocking.run { try self.sendNow(bytes, timeout: timeout) }
    }

    /// Reads one whole response (see ``HTTPTestResponse/parse(from:bodiless:)``).
    public func readResponse(bodiless: Bool = false, timeout: Duration = defaultTimeout) async throws -> HTTPTestResponse {
        try await Blocking.run { try self.readResponseNow(bodiless: bodiless, timeout: timeout) }
    }

    /// Sends `request` and reads its response.
    public func request(_ request: String, bodiless: Bool = false, timeout: Duration = defaultTimeout) async throws -> HTTPTestResponse {
        try await Blocking.run {
            try self.sendNow(Array(request.utf8), timeout: timeout)
            return try self.readResponseNow(bodiless: bodiless, timeout: timeout)
        }
    }

    /// Waits until the server closes the connection, then closes this end as a real client would (so
    /// the server stops lingering); returns the bytes that arrived first (usually none).
    ///
    /// A reset counts as closed. Throws ``TCPClientError/Code/timedOut`` if the connection stays open.
    public func readUntilClosed(timeout: Duration = defaultTimeout) async throws -> [UInt8] {
        try await Blocking.run { try self.readUntilClosedNow(timeout: timeout) }
    }

    /// Reads until end-of-stream, reset or `timeout`, and returns whatever arrived: for a peer that may answer and then
    /// keep the connection open, where ``readUntilClosed(timeout:)`` would throw the answer away.
    public func readUntilClosedOrTimeout(_ timeout: Duration) async throws -> [UInt8] {
        try await Blocking.run {
            let deadline = Self.deadline(after: timeout)
            var received = self.pending.withLock { buffer in
                defer { buffer.removeAll() }
                return buffer
            }
            while true {
                let chunk: [UInt8]
                do {
                    chunk = try self.receive(deadline: deadline)
                } catch let error as TCPClientError where error.code == .timedOut {
                    return received
                }
                guard !chunk.isEmpty else { return received }
                received.append(contentsOf: chunk)
            }
        }
    }

    // MARK: Blocking API (call inside Blocking.run)

    /// Writes all of `bytes`, waiting for buffer space until the deadline.
    public func sendNow(_ bytes: [UInt8], timeout: Duration = defaultTimeout) throws(TCPClientError) {
        let deadline = Self.deadline(after: timeout)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { Glibc.send(fileDescriptor, $0.baseAddress! + offset, $0.count - offset, CInt(MSG_NOSIGNAL)) }
            if written >= 0 {
                offset += written
                continue
            }
            switch errno {
            case EINTR: continue
            case EAGAIN: try wait(for: CShort(POLLOUT), deadline: deadline)
            case EPIPE, ECONNRESET: throw TCPClientError(.closed, "send: the server closed the connection")
            default: throw .system(errno, "send")
            }
        }
    }

    /// Reads one whole response, blocking until the deadline.
    public func readResponseNow(bodiless: Bool = false, timeout: Duration = defaultTimeout) throws(TCPClientError) -> HTTPTestResponse {
        let deadline = Self.deadline(after: timeout)
        while true {
            let parsed = try pending.withLock { buffer throws(TCPClientError) in try HTTPTestResponse.parse(from: &buffer, bodiless: bodiless) }
            if let parsed { return parsed }
            let chunk = try receive(deadline: deadline)
            guard !chunk.isEmpty else {
                let count = pending.withLock { $0.count }
                throw TCPClientError(.closed, "closed after \(count) bytes of a response")
            }
            pending.withLock { $0.append(contentsOf: chunk) }
        }
    }

    /// Reads until end-of-stream or reset, blocking until the deadline.
    public func readUntilClosedNow(timeout: Duration = defaultTimeout) throws(TCPClientError) -> [UInt8] {
        let deadline = Self.deadline(after: timeout)
        var received = pending.withLock { buffer in
            defer { buffer.removeAll() }
            return buffer
        }
        while true {
            let chunk = try receive(deadline: deadline)
            if chunk.isEmpty {
                close()
                return received
            }
            received.append(contentsOf: chunk)
        }
    }

    /// Reads whatever is available (waiting until the deadline for something); empty at end-of-stream or reset.
    func receive(deadline: UInt64) throws(TCPClientError) -> [UInt8] {
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(fileDescriptor, $0.baseAddress, $0.count, 0) }
            if count >= 0 { return Array(chunk[..<count]) }
            switch errno {
            case EINTR: continue
            case EAGAIN: try wait(for: CShort(POLLIN), deadline: deadline)
            case ECONNRESET: return []
            default: throw .system(errno, "recv")
            }
        }
    }

    private func wait(for events: CShort, deadline: UInt64) throws(TCPClientError) {
        let remaining = Int64(deadline) - Int64(Self.nowNanoseconds())
        guard remaining > 0 else { throw TCPClientError(.timedOut, "no \(events == CShort(POLLIN) ? "data" : "buffer space") in time") }
        var descriptor = pollfd(fd: fileDescriptor, events: events, revents: 0)
        let status = poll(&descriptor, 1, CInt(min(remaining / 1_000_000 + 1, Int64(CInt.max))))
        if status < 0 && errno != EINTR { throw .system(errno, "poll") }
    }

    static func deadline(after timeout: Duration) -> UInt64 {
        nowNanoseconds() + UInt64(timeout.components.seconds) * 1_000_000_000 + UInt64(timeout.components.attoseconds / 1_000_000_000)
    }

    static func nowNanoseconds() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
    }
}
