import Glibc
import IO
import Testing

/// What `Socket.refuseNewHandshakes` promises the drain, over real loopback TCP: a connection the kernel had
/// queued can still be accepted, and none starts after the call, so closing after the last accept resets nothing.
@Suite("handshakes stop before the listener closes")
struct HandshakeStopTests {
    /// `::` is how the service listens by default (IPv4 clients arrive IPv4-mapped), `127.0.0.1` an IPv4-only bind.
    @Test(arguments: ["127.0.0.1", "::"])
    func queuedConnectionsStayAcceptableAndNewOnesNeverComplete(_ host: String) throws {
        let (listener, port) = try Socket.listen(host: host, port: 0)
        var listenerOpen = true
        defer { if listenerOpen { close(listener) } }
        let queued = try Self.connect(port: port)
        defer { close(queued) }
        #expect(Self.waitUntilWritable(queued, milliseconds: 1_000), "the first handshake completes")

        #expect(Socket.refuseNewHandshakes(listener))
        let late = try Self.connect(port: port)
        defer { close(late) }
        #expect(!Self.waitUntilWritable(late, milliseconds: 300), "a handshake started after the filter")

        let accepted = try #require(try Socket.accept(listener), "the connection queued before is accepted")
        close(accepted.fileDescriptor)
        #expect(try Socket.accept(listener) == nil, "only the queued connection was there to accept")

        close(listener)
        listenerOpen = false
        // The late client's kernel retries its SYN (after about a second) and the closed port refuses it.
        #expect(Self.waitUntilWritable(late, milliseconds: 5_000))
        #expect(Self.pendingError(late) == ECONNREFUSED)
    }

    /// Starts a non-blocking connect to `127.0.0.1:port`.
    private static func connect(port: Int) throws -> CInt {
        let fd = socket(AF_INET, CInt(SOCK_STREAM.rawValue) | CInt(SOCK_NONBLOCK.rawValue) | CInt(SOCK_CLOEXEC.rawValue), 0)
        try #require(fd >= 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
        let status = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        #expect(status == 0 || errno == EINPROGRESS, "connect: errno \(errno)")
        return fd
    }

    /// Whether the connect finished (established or failed) within `milliseconds`.
    private static func waitUntilWritable(_ fd: CInt, milliseconds: CInt) -> Bool {
        var descriptor = pollfd(fd: fd, events: CShort(POLLOUT), revents: 0)
        return poll(&descriptor, 1, milliseconds) == 1
    }

    /// The socket's pending error (`SO_ERROR`): 0 for an established connection.
    private static func pendingError(_ fd: CInt) -> CInt {
        var error: CInt = 0
        var length = socklen_t(MemoryLayout<CInt>.size)
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length)
        return error
    }
}
