import ServiceKit

/// The OpenAPI 3.1 description of the traffic port, served at `GET /openapi.json`.
///
/// The document is `openapi.json` beside this file, compiled into the binary (`.embedInCode` in Package.swift), so
/// the service reads no file at run time. When you add, remove or change a route, change that file too:
/// `OpenAPIDocumentTests` fails while a routed method and path is missing from `paths` (or documented but not
/// routed), and `scripts/schemathesis.sh` checks the running server's answers against its schemas.
enum OpenAPIDocument {
    /// The document's bytes, as served.
    static let bytes: [UInt8] = PackageResources.openapi_json
}
