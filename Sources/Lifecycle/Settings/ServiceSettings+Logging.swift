public import Observability

extension ServiceSettings {
    /// Log verbosity, the access log and per-request metrics.
    public struct Logging: Sendable, Hashable {
        /// `LOG_LEVEL`: the least severe level logged.
        public var level = LogLevel.info
        /// `ACCESS_LOG`: one log line per answered request.
        public var accessLog = true
        /// `REQUEST_METRICS`: per-request Prometheus series (count, duration, in flight).
        public var requestMetrics = true

        /// Creates the defaults.
        public init() {}

        /// Reads `LOG_LEVEL`, `ACCESS_LOG` and `REQUEST_METRICS`.
        public init(reader: inout SettingsReader) {
            level = reader.enum("LOG_LEVEL", default: level, doc: "Least severe level logged.")
            accessLog = reader.bool("ACCESS_LOG", default: accessLog, doc: "One log line per request.")
            requestMetrics = reader.bool(
                "REQUEST_METRICS", default: requestMetrics, doc: "Per-request Prometheus series: count, duration, in flight."
            )
        }
    }
}
