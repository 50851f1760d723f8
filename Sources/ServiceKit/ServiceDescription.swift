import HTTPServer
import IO
import Lifecycle
import Postgres

/// What `service describe` prints: the facts the manifest checks compare against (ports, routes,
/// probe paths, shutdown budget, readiness timing, the preStop header, pool size). Field names are the contract of scripts/lint.
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

    struct Readiness: Encodable {
        let checkIntervalSeconds: Double
        let checkTimeoutSeconds: Double
    }

    struct Startup: Encodable {
        let deadlineSeconds: Double
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
    let readiness: Readiness
    let startup: Startup
    let preStop: PreStop
    let database: [String: Int]

    init(settings: ServiceSettings, configuration: ServiceConfiguration, trafficRoutes: [Router.Route], adminRoutes: [Router.Route]) {
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
        readiness = Readiness(
            checkIntervalSeconds: configuration.readinessCheckInterval.seconds, checkTimeoutSeconds: configuration.readinessCheckTimeout.seconds
        )
        startup = Startup(deadlineSeconds: configuration.startupDeadline.seconds)
        preStop = PreStop(header: PrestopAuthorization.headerName, tokenSetting: "PRESTOP_TOKEN", tokenSet: configuration.prestopAuthorization.isEnabled)
        database = ["poolMax": configuration.pool.maximumConnections]
    }
}
