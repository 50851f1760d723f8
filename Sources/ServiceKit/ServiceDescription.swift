import HTTPServer
import IO
import Lifecycle
import Postgres

/// What `service describe` prints: the facts the manifest checks compare against (ports, routes, probe paths, shutdown
/// budget, the preStop header, pool size) and every setting with its default and the value in effect, so the checks
/// read the binary's defaults instead of copies. Field names are the contract of scripts/lint.
struct ServiceDescription: Encodable {
    struct Route: Encodable {
        let port: String
        let method: String
        let path: String
    }

    struct Shutdown: Encodable {
        let shutdownDelaySeconds: Double
        let drainTimeoutSeconds: Double
        let shutdownHookTimeoutSeconds: Double
        let marginSeconds: Double
        let requiredGracePeriodSeconds: Double
        /// `TERMINATION_GRACE_PERIOD_SECONDS`, or Kubernetes' default when unset.
        let terminationGracePeriodSeconds: Double
    }

    /// One setting: its default (empty when it has none) and the value in effect (secrets hidden).
    struct Setting: Encodable {
        let `default`: String
        let value: String
    }

    /// What the preStop hook must send: `header` with the value of the setting `tokenSetting` (never the value).
    struct PreStop: Encodable {
        let header: String
        let tokenSetting: String
        let tokenSet: Bool
    }

    let ports: [String: Int]
    let routes: [Route]
    let probes: [String: String]
    let shutdown: Shutdown
    let settings: [String: Setting]
    let preStop: PreStop
    let database: [String: Int]

    init(
        settings: ServiceSettings, variables: [SettingsReader.Variable], configuration: ServiceConfiguration, trafficRoutes: [Router.Route],
        adminRoutes: [Router.Route]
    ) {
        ports = ["http": configuration.http.port, "admin": configuration.adminPort]
        routes = trafficRoutes.map { Route(port: "http", method: $0.method.rawValue, path: $0.path) }
            + adminRoutes.map { Route(port: "admin", method: $0.method.rawValue, path: $0.path) }
        probes = ["liveness": "/livez", "readiness": "/readyz", "startup": "/livez", "preStop": "/prestop"]
        shutdown = Shutdown(
            shutdownDelaySeconds: configuration.shutdownDelay.seconds, drainTimeoutSeconds: configuration.drainTimeout.seconds,
            shutdownHookTimeoutSeconds: configuration.shutdownHookTimeout.seconds, marginSeconds: ServiceSettings.margin.seconds,
            requiredGracePeriodSeconds: settings.requiredGracePeriod.seconds,
            terminationGracePeriodSeconds: configuration.terminationGracePeriod.seconds
        )
        self.settings = Dictionary(variables.map { ($0.name, Setting(default: $0.defaultValue, value: $0.value)) }) { _, last in last }
        preStop = PreStop(header: PrestopAuthorization.headerName, tokenSetting: "PRESTOP_TOKEN", tokenSet: configuration.prestopAuthorization.isEnabled)
        database = ["poolMax": configuration.pool.maximumConnections]
    }
}
