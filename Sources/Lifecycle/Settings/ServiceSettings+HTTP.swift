import IO

extension ServiceSettings {
    /// The traffic listener: application routes and the public probes.
    public struct HTTP: Sendable, Hashable {
        /// `HTTP_HOST` (default `::`): address to bind; `::` is both IPv4 and IPv6 (IPv4 only where the kernel has no
        /// IPv6), so probes reach the pod IP in any cluster; not loopback.
        public var host = Socket.anyAddress
        /// `HTTP_PORT` (int 0...65535, default 8080): port to bind; 0 picks a free one. Must differ from `ADMIN_PORT`.
        public var port = 8080
        /// `HTTP_MAX_HEADER_BYTES` (int 1024...1048576, default 16384): largest request head; 431 beyond.
        public var maxHeaderBytes = 16384
        /// `HTTP_MAX_HEADER_COUNT` (int 1...10000, default 1000): most header fields in a request; 431 beyond. The head's
        /// size (`HTTP_MAX_HEADER_BYTES`) is the real bound, as in nginx, which has no count limit.
        public var maxHeaderCount = 1000
        /// `HTTP_MAX_FIELD_LINE_BYTES` (int 256...1048576, default 8192): longest header field line; 431 beyond.
        public var maxFieldLineBytes = 8192
        /// `HTTP_MAX_TARGET_BYTES` (int 16...1048576, default 8192): longest request target; 414 beyond.
        public var maxTargetBytes = 8192
        /// `HTTP_MAX_BODY_BYTES` (int 0...1073741824, default 1048576): largest request body; 413 beyond.
        public var maxBodyBytes = 1_048_576
        /// `HTTP_MAX_CONNECTIONS` (int 1...1000000, default 10000): most open connections; past it new ones get a fast 503.
        public var maxConnections = 10_000
        /// `HTTP_HEADER_TIMEOUT_SECONDS` (seconds > 0, default 10): time to receive a request head; 408 after.
        public var headerTimeout: Duration = .seconds(10)
        /// `HTTP_BODY_TIMEOUT_SECONDS` (seconds > 0, default 30): time to receive a body once the head is in; 408 after.
        public var bodyTimeout: Duration = .seconds(30)
        /// `HTTP_IDLE_TIMEOUT_SECONDS` (seconds > 0, default 75): how long a keep-alive connection may wait for its next
        /// request; keep it above the load balancer's idle timeout (60 s on most).
        public var idleTimeout: Duration = .seconds(75)
        /// `HTTP_WRITE_TIMEOUT_SECONDS` (seconds > 0, default 30): how long a write may make no progress.
        public var writeTimeout: Duration = .seconds(30)
        /// `HTTP_HANDLER_TIMEOUT_SECONDS` (seconds > 0, default 30): how long a handler may run; then it is cancelled
        /// and the client gets 503.
        public var handlerTimeout: Duration = .seconds(30)

        /// Creates the defaults.
        public init() {}

        /// Reads every `HTTP_*` variable.
        public init(reader: inout SettingsReader) {
            host = reader.string("HTTP_HOST", default: host, doc: "Address of the traffic listener.")
            port = reader.int("HTTP_PORT", default: port, range: 0...65535, doc: "Traffic port; 0 picks a free one.")
            maxHeaderBytes = reader.int(
                "HTTP_MAX_HEADER_BYTES", default: maxHeaderBytes, range: 1024...1_048_576, doc: "Largest request head (431).")
            maxHeaderCount = reader.int(
                "HTTP_MAX_HEADER_COUNT", default: maxHeaderCount, range: 1...10_000, doc: "Most header fields (431).")
            maxFieldLineBytes = reader.int(
                "HTTP_MAX_FIELD_LINE_BYTES", default: maxFieldLineBytes, range: 256...1_048_576, doc: "Longest header field line (431).")
            maxTargetBytes = reader.int(
                "HTTP_MAX_TARGET_BYTES", default: maxTargetBytes, range: 16...1_048_576, doc: "Longest request target (414).")
            maxBodyBytes = reader.int(
                "HTTP_MAX_BODY_BYTES", default: maxBodyBytes, range: 0...1 << 30, doc: "Largest request body (413).")
            maxConnections = reader.int(
                "HTTP_MAX_CONNECTIONS", default: maxConnections, range: 1...1_000_000, doc: "Most open connections (then 503).")
            headerTimeout = reader.seconds(
                "HTTP_HEADER_TIMEOUT_SECONDS", default: headerTimeout, allowsZero: false, doc: "Time to receive a head (408).")
            bodyTimeout = reader.seconds(
                "HTTP_BODY_TIMEOUT_SECONDS", default: bodyTimeout, allowsZero: false, doc: "Time to receive a body (408).")
            idleTimeout = reader.seconds(
                "HTTP_IDLE_TIMEOUT_SECONDS", default: idleTimeout, allowsZero: false, doc: "Keep-alive idle time.")
            writeTimeout = reader.seconds(
                "HTTP_WRITE_TIMEOUT_SECONDS", default: writeTimeout, allowsZero: false, doc: "Longest stalled write.")
            handlerTimeout = reader.seconds(
                "HTTP_HANDLER_TIMEOUT_SECONDS", default: handlerTimeout, allowsZero: false, doc: "Longest handler run (503).")
        }
    }
}
