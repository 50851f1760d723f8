extension ServiceSettings {
    /// The admin listener: `/prestop`, detailed health and `/metrics`; not exposed by the Kubernetes Service.
    public struct Admin: Sendable, Hashable {
        /// `ADMIN_HOST` (default `::`, both families as for `HTTP_HOST`): address to bind; the kubelet calls `/prestop`
        /// on the pod IP.
        public var host = "::"
        /// `ADMIN_PORT` (int 0...65535, default 8081): port to bind; 0 picks a free one.
        public var port = 8081

        /// Creates the defaults.
        public init() {}

        /// Reads `ADMIN_HOST` and `ADMIN_PORT`.
        public init(reader: inout SettingsReader) {
            host = reader.string("ADMIN_HOST", default: host, doc: "Address of the admin listener.")
            port = reader.int("ADMIN_PORT", default: port, range: 0...65535, doc: "Admin port; 0 picks a free one.")
        }
    }
}
