extension ServiceSettings {
    /// The readiness check's pace and the thresholds that turn liveness red.
    public struct Health: Sendable, Hashable {
        /// `READINESS_CHECK_INTERVAL_SECONDS`: the database check runs at most once per
        /// interval, however often `/readyz` is probed.
        public var readinessCheckInterval: Duration = .seconds(2)
        /// `READINESS_CHECK_TIMEOUT_SECONDS`: the database check's own timeout; keep it shorter
        /// than the probe's `timeoutSeconds`.
        public var readinessCheckTimeout: Duration = .seconds(1)
        /// `LIVENESS_STALL_SECONDS`: an event loop silent this long turns `/livez` red.
        public var livenessStall: Duration = .seconds(5)
        /// `POOL_WEDGE_SECONDS`: when the pool has served nothing this long while a fresh
        /// connection works, `/livez` turns red.
        public var poolWedge: Duration = .seconds(120)

        /// Creates the defaults.
        public init() {}

        /// Reads the probe variables.
        public init(reader: inout SettingsReader) {
            readinessCheckInterval = reader.seconds(
                "READINESS_CHECK_INTERVAL_SECONDS", default: readinessCheckInterval, allowsZero: false,
                doc: "Database readiness check runs at most this often.")
            readinessCheckTimeout = reader.seconds(
                "READINESS_CHECK_TIMEOUT_SECONDS", default: readinessCheckTimeout, allowsZero: false,
                doc: "Timeout of the database readiness check.")
            livenessStall = reader.seconds(
                "LIVENESS_STALL_SECONDS", default: livenessStall, allowsZero: false, doc: "An event loop silent this long: /livez red.")
            poolWedge = reader.seconds(
                "POOL_WEDGE_SECONDS", default: poolWedge, allowsZero: false,
                doc: "Pool served nothing this long while a fresh connection works: /livez red.")
        }
    }
}
