import ServiceKit

/// The example service: the items API on the kit. Everything it declares is its own; the kit adds the rest.
struct ItemsService: ServiceApplication {
    static var openAPIDocument: [UInt8]? { OpenAPIDocument.bytes }

    let items: ItemsAPI

    init(settings: Void, context: ServiceContext) {
        items = ItemsAPI(pool: context.pool)
    }

    func addRoutes(to router: inout Router) {
        items.install(into: &router)
    }
}
