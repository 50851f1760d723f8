import CIOShims
import Glibc

/// Socket helpers: listening sockets, accept, and address formatting.
public enum Socket {
    /// Every address of both families: `::` with IPv4-mapped addresses, so one socket serves IPv4 and IPv6 peers.
    public static let anyAddress = "::"

    /// Creates a non-blocking listening TCP socket on `host:port` (`::`, `0.0.0.0`, or a numeric address).
    ///
    /// `::` listens on both families (`IPV6_V6ONLY` off, whatever `net.ipv6.bindv6only` says), so probes reach the pod
    /// in IPv4, IPv6 and dual-stack clusters alike. Where the kernel has no IPv6 (`socket` fails with `EAFNOSUPPORT`,
    /// or binding `::` with `EADDRNOTAVAIL`), `::` falls back to `0.0.0.0`; any other host is bound as given.
    ///
    /// - Returns: The descriptor and the bound port (useful with port 0).
    public static func listen(host: String, port: Int, backlog: CInt = 1024) throws(IOError) -> (fileDescriptor: CInt, port: Int) {
        do {
            return try listenExactly(host: host, port: port, backlog: backlog)
        } catch where host == anyAddress && (error.errno == EAFNOSUPPORT || error.errno == EADDRNOTAVAIL) {
            return try listenExactly(host: "0.0.0.0", port: port, backlog: backlog)
        }
    }

    private static func listenExactly(host: String, port: Int, backlog: CInt) throws(IOError) -> (fileDescriptor: CInt, port: Int) {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = CInt(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_PASSIVE | AI_NUMERICHOST | AI_NUMERICSERV
        var result: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &result)
        guard status == 0, let info = result else { throw IOError(errno: EINVAL, operation: "getaddrinfo(\(host))") }
        defer { freeaddrinfo(result) }

        let fd = socket(info.pointee.ai_family, CInt(SOCK_STREAM.rawValue) | CInt(SOCK_NONBLOCK.rawValue) | CInt(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw .current("socket") }
        do throws(IOError) {
            try setOption(fd, SOL_SOCKET, SO_REUSEADDR, 1)
            if info.pointee.ai_family == AF_INET6 {
                // Dual-stack when bound to "::", as operators expect of a pod listening on all addresses.
                try setOption(fd, CInt(IPPROTO_IPV6), IPV6_V6ONLY, 0)
            }
            guard bind(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 else { throw .current("bind(\(host):\(port))") }
            guard Glibc.listen(fd, backlog) == 0 else { throw .current("listen") }
            return (fd, try localPort(fd))
        } catch {
            close(fd)
            throw error
        }
    }

    /// Accepts one pending connection as a non-blocking descriptor; nil when none is pending.
    public static func accept(_ listener: CInt) throws(IOError) -> (fileDescriptor: CInt, address: String)? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        while true {
            let fd = withUnsafeMutablePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    cio_accept4(listener, $0, &length, CInt(SOCK_NONBLOCK.rawValue) | CInt(SOCK_CLOEXEC.rawValue))
                }
            }
            if fd >= 0 { return (fd, format(&storage)) }
            switch errno {
            case EINTR, ECONNABORTED: continue
            case EAGAIN, EWOULDBLOCK: return nil
            default: throw .current("accept4")
            }
        }
    }

    /// Sets an integer socket option.
    public static func setOption(_ fd: CInt, _ level: CInt, _ name: CInt, _ value: CInt) throws(IOError) {
        var value = value
        guard setsockopt(fd, level, name, &value, socklen_t(MemoryLayout<CInt>.size)) == 0 else {
            throw .current("setsockopt")
        }
    }

    /// Disables Nagle's algorithm: responses are written whole, so waiting for more only adds latency.
    public static func setNoDelay(_ fd: CInt) {
        try? setOption(fd, CInt(IPPROTO_TCP), TCP_NODELAY, 1)
    }

    /// Makes the next `close` of `fd` reset the connection (RST) and drop unsent data, instead of a graceful FIN.
    public static func setAbortiveClose(_ fd: CInt) {
        var abort = linger(l_onoff: 1, l_linger: 0)
        _ = setsockopt(fd, SOL_SOCKET, SO_LINGER, &abort, socklen_t(MemoryLayout<linger>.size))
    }

    /// Makes a listening socket start no more handshakes: a socket filter drops every segment that opens a
    /// connection. Handshakes already under way complete and queue for `accept`; a later client's SYN is retried by
    /// its kernel and refused once the socket is closed. Returns false if the kernel refused the filter.
    @discardableResult
    public static func refuseNewHandshakes(_ listener: CInt) -> Bool {
        cio_refuse_new_handshakes(listener) == 0
    }

    /// The local port a socket is bound to.
    public static func localPort(_ fd: CInt) throws(IOError) -> Int {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let status = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard status == 0 else { throw .current("getsockname") }
        let family = storage.ss_family
        return withUnsafePointer(to: &storage) { pointer in
            if family == sa_family_t(AF_INET6) {
                return pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin6_port)) }
            }
            return pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin_port)) }
        }
    }

    private static func format(_ storage: inout sockaddr_storage) -> String {
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        let family = storage.ss_family
        return withUnsafePointer(to: &storage) { pointer in
            if family == sa_family_t(AF_INET6) {
                return pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { address in
                    var raw = address.pointee.sin6_addr
                    let port = UInt16(bigEndian: address.pointee.sin6_port)
                    if let mapped = ipv4Mapped(raw) {
                        // An IPv4 peer on the dual-stack socket: written as IPv4, as the same peer reads on an IPv4 socket.
                        var ipv4 = in_addr(s_addr: mapped)
                        inet_ntop(AF_INET, &ipv4, &text, socklen_t(text.count))
                        return "\(cString(text)):\(port)"
                    }
                    inet_ntop(AF_INET6, &raw, &text, socklen_t(text.count))
                    return "[\(cString(text))]:\(port)"
                }
            }
            return pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { address in
                var raw = address.pointee.sin_addr
                inet_ntop(AF_INET, &raw, &text, socklen_t(text.count))
                return "\(cString(text)):\(UInt16(bigEndian: address.pointee.sin_port))"
            }
        }
    }

    /// The IPv4 address (network byte order) inside an IPv4-mapped IPv6 address `::ffff:a.b.c.d`, or nil.
    static func ipv4Mapped(_ address: in6_addr) -> in_addr_t? {
        withUnsafeBytes(of: address) { bytes -> in_addr_t? in
            guard bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xFF, bytes[11] == 0xFF else { return nil }
            return bytes.loadUnaligned(fromByteOffset: 12, as: in_addr_t.self)
        }
    }

    private static func cString(_ text: [CChar]) -> String {
        String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
