import IO

extension ServiceSettings {
    /// The admin listener: `/prestop`, detailed health and `/metrics`; not exposed by the Kubernetes Service.
    public struct Admin: Sendable, Hashable {
        /// The shortest `PRESTOP_TOKEN` accepted: long enough that a pod in the cluster cannot guess it.
        public static let minimumPrestopTokenLength = 16

        /// `ADMIN_HOST` (both families as for `HTTP_HOST`): address to bind; the kubelet calls `/prestop`
        /// on the pod IP.
        public var host = Socket.anyAddress
        /// `ADMIN_PORT`: port to bind; 0 picks a free one.
        public var port = 8081
        /// `PRESTOP_TOKEN` or `PRESTOP_TOKEN_FILE` (secret): the value `/prestop` requires in its
        /// `X-Prestop-Token` header (the preStop hook's `httpHeaders`). Unset, `/prestop` refuses every call and
        /// SIGTERM alone serves the shutdown delay. At least 16 visible ASCII characters, no spaces.
        public var prestopToken: Secret? = nil

        /// Creates the defaults.
        public init() {}

        /// Reads `ADMIN_HOST`, `ADMIN_PORT` and `PRESTOP_TOKEN`.
        public init(reader: inout SettingsReader) {
            host = reader.string("ADMIN_HOST", default: host, doc: "Address of the admin listener.")
            port = reader.int("ADMIN_PORT", default: port, range: 0...65535, doc: "Admin port; 0 picks a free one.")
            prestopToken = reader.secret(
                "PRESTOP_TOKEN", doc: "Value /prestop requires in X-Prestop-Token; unset: /prestop refuses every call.")
            if let token = prestopToken, let problem = Self.problem(withToken: token.value) {
                reader.report(token.path == nil ? "PRESTOP_TOKEN" : "PRESTOP_TOKEN_FILE", problem, code: .invalidValue)
                prestopToken = nil
            }
        }

        /// Why `token` cannot be sent as a header value by the kubelet and still resist guessing; nil when it can.
        static func problem(withToken token: String) -> String? {
            // The kubelet sends httpHeaders values verbatim: only visible ASCII survives every proxy and parser.
            guard token.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) else {
                return "must be visible ASCII characters only (no spaces or control characters)"
            }
            guard token.utf8.count >= minimumPrestopTokenLength else {
                return "must be at least \(minimumPrestopTokenLength) characters (it is \(token.utf8.count))"
            }
            return nil
        }
    }
}
