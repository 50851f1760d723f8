import ServiceKit

/// An application of the kit's own tests: a route per shape the kit's metrics and logs must label by template, each
/// leasing a pool connection as an application's routes do.
struct FixtureApplication: ServiceApplication {
    let pool: PostgresPool

    init(settings: Void, context: ServiceContext) {
        pool = context.pool
    }

    func addRoutes(to router: inout Router) {
        router.get("/things") { _ in
            _ = try await pool.query("SELECT 1")
            return .json(bytes: Array("[]".utf8))
        }
        router.post("/things") { _ in
            _ = try await pool.query("SELECT 1")
            return Response(status: .created, headers: ["Location": "/things/1"])
        }
        router.get("/things/{id}") { request in
            let id = try request.parameters.require("id", as: Int64.self)
            _ = try await pool.query("SELECT $1::bigint", id)
            guard id == 1 else { throw HTTPError(.notFound) }
            return .json(bytes: Array("{}".utf8))
        }
    }
}
