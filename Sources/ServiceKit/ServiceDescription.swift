import HTTPServer
import IO
import Lifecycle
import Postgres

/// What `service describe` prints: the facts the manifest checks compare against (ports, routes,
/// probe paths, shutdown budget, pool size). Field names are the contract of scripts/lint.
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
    }

    let ports: [String: Int]
    let routes: [Route]
    let probes: [String: String]
    let shutdown: Shutdown
    let database: [String: Int]

    init(settings: ServiceSettings, configuration: ServiceConfiguration, trafficRoutes: [Router.Route], adminRoutes: [Router.Route]) {
        ports = ["http": configuration.http.port, "admin": configuration.adminPort]
        routes = trafficRoutes.map { Route(port: "http", method: $0.method.rawValue, path: $0.path) }
            + adminRoutes.map { Route(port: "admin", method: $0.method.rawValue, path: $0.path) }
        probes = ["liveness": "/livez", "readiness": "/readyz", "startup": "/livez", "preStop": "/prestop"]
        shutdown = Shutdown(
            shutdownDelaySeconds: configuration.shutdownDelay.seconds, drainTimeoutSeconds: configuration.drainTimeout.seconds,
            shutdownHookTimeoutSeconds: configuration.shutdownHookTimeout.seconds, marginSeconds: ServiceSettings.margin.seconds,
            requiredGracePeriodSeconds: settings.requiredGracePeriod.seconds
        )
        database = ["poolMax": configuration.pool.maximumConnections]
    }
}
