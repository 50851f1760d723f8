import HTTPServer

extension ServiceSettings {
    /// The traffic listener: application routes and the public probes.
    public struct HTTP: Sendable, Hashable {
        /// The server's own defaults: these settings override them.
        private static let server = HTTPServerConfiguration()

        /// `HTTP_HOST`: address to bind; `::` is both IPv4 and IPv6 (IPv4 only where the kernel has no
        /// IPv6), so probes reach the pod IP in any cluster; not loopback.
        public var host = server.host
        /// `HTTP_PORT`: port to bind; 0 picks a free one. Must differ from `ADMIN_PORT`.
        public var port = server.port
        /// `HTTP_MAX_HEADER_BYTES`: largest request head; 431 beyond.
        public var maxHeaderBytes = server.limits.maxHeadBytes
        /// `HTTP_MAX_HEADER_COUNT`: most header fields in a request; 431 beyond. The head's
        /// size (`HTTP_MAX_HEADER_BYTES`) is the real bound, as in nginx, which has no count limit.
        public var maxHeaderCount = server.limits.maxHeaderCount
        /// `HTTP_MAX_FIELD_LINE_BYTES`: longest header field line; 431 beyond.
        public var maxFieldLineBytes = server.limits.maxFieldLineBytes
        /// `HTTP_MAX_TARGET_BYTES`: longest request target; 414 beyond.
        public var maxTargetBytes = server.limits.maxTargetBytes
        /// `HTTP_MAX_BODY_BYTES`: largest request body; 413 beyond.
        public var maxBodyBytes = server.limits.maxBodyBytes
        /// `HTTP_MAX_CONNECTIONS`: most open connections; past it new ones get a fast 503.
        public var maxConnections = server.maxConnections
        /// `HTTP_HEADER_TIMEOUT_SECONDS`: time to receive a request head; 408 after.
        public var headerTimeout = server.timeouts.header
        /// `HTTP_BODY_TIMEOUT_SECONDS`: time to receive a body once the head is in; 408 after.
        public var bodyTimeout = server.timeouts.body
        /// `HTTP_IDLE_TIMEOUT_SECONDS`: how long a keep-alive connection may wait for its next
        /// request; keep it above the load balancer's idle timeout (60 s on most).
        public var idleTimeout = server.timeouts.idle
        /// `HTTP_WRITE_TIMEOUT_SECONDS`: how long a write may make no progress.
        public var writeTimeout = server.timeouts.write
        /// `HTTP_HANDLER_TIMEOUT_SECONDS`: how long a handler may run; then it is cancelled
        /// and the client gets 503.
        public var handlerTimeout = server.timeouts.handler

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
