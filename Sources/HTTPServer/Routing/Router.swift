/// Something that turns a request into a response; the server calls it for every request.
public protocol HTTPResponder: Sendable {
    /// Answers `request`. Errors are the responder's to render: it must always return a response.
    func respond(to request: Request) async -> Response
}

/// A request handler: an async function from request to response.
public typealias Handler = @Sendable (Request) async throws -> Response

/// Routes requests by method and path pattern to handlers.
///
/// Patterns are literal segments and `{name}` parameters:
/// ```swift
/// var router = Router()
/// router.get("/items/{id}") { request in
///     let id = try request.parameters.require("id", as: Int64.self)
///     return try .json(Item(id: id))
/// }
/// ```
/// An unknown path is 404; a known path with another method is 405 with `Allow`. HEAD is served by
/// the GET handler (the server drops the body). A thrown ``HTTPError`` becomes its problem response, and so
/// does an error ``errorMapper`` maps; any other error becomes a 500 carrying the request id, reported to ``errorReporter``, unless the handler
/// was cancelled (a 503, not reported).
public struct Router: HTTPResponder {
    /// One registered route, as listed by ``routes``.
    public struct Route: Sendable, Hashable {
        /// The method.
        public let method: HTTPMethod
        /// The pattern, e.g. `/items/{id}`.
        public let path: String
    }

    /// Called with every unexpected error and the request that caused it (log it there); not with the errors
    /// of a cancelled handler.
    public var errorReporter: @Sendable (any Error, Request) -> Void = { _, _ in }

    /// Turns an error a handler threw into the problem to answer with, or nil to treat it as unexpected.
    ///
    /// For failures of a dependency that have a proper status everywhere, such as a database pool with no
    /// connection free (503 with `Retry-After`), so that no handler has to catch them itself.
    public var errorMapper: @Sendable (any Error) -> HTTPError? = { _ in nil }

    private var root = RouteNode()
    /// The trie's node for each route pattern without parameters, keyed by the pattern: a request for exactly that
    /// path skips splitting and decoding it (probes are the most frequent requests and all such paths).
    private var exactPaths: [String: RouteNode] = [:]
    /// Every route in registration order.
    public private(set) var routes: [Route] = []

    /// Creates an empty router.
    public init() {}

    /// Adds a route for `method` on `path`.
    public mutating func on(_ method: HTTPMethod, _ path: String, use handler: @escaping Handler) {
        let segments = path.split(separator: "/", omittingEmptySubsequences: true).map(RouteSegment.init)
        precondition(path.hasPrefix("/"), "route patterns start with '/': \(path)")
        precondition(root.insert(segments[...], method: method, template: path, handler: handler), "duplicate route \(method) \(path)")
        routes.append(Route(method: method, path: path))
        // Only where the trie would reach the same node from the raw path: no parameter, nothing to decode.
        let literals = segments.compactMap { segment -> String? in
            guard case .literal(let text) = segment, !text.contains("%"), text != ".", text != ".." else { return nil }
            return text
        }
        // Keyed by the one spelling the trie accepts ("/a/" registers "/a"), so every spelling of a route refreshes
        // the same copy of its node.
        if literals.count == segments.count {
            exactPaths["/" + literals.joined(separator: "/")] = root.find(literals[...], parameters: nil)
        }
    }

    /// Adds a GET route.
    public mutating func get(_ path: String, use handler: @escaping Handler) { on(.get, path, use: handler) }
    /// Adds a POST route.
    public mutating func post(_ path: String, use handler: @escaping Handler) { on(.post, path, use: handler) }
    /// Adds a PUT route.
    public mutating func put(_ path: String, use handler: @escaping Handler) { on(.put, path, use: handler) }
    /// Adds a PATCH route.
    public mutating func patch(_ path: String, use handler: @escaping Handler) { on(.patch, path, use: handler) }
    /// Adds a DELETE route.
    public mutating func delete(_ path: String, use handler: @escaping Handler) { on(.delete, path, use: handler) }

    /// The route template a request for `method` and `path` would be served by, or nil.
    public func match(method: HTTPMethod, path: String) -> String? {
        var parameters = Parameters()
        return (try? self.node(for: path, parameters: &parameters))?.endpoint(for: method)?.template
    }

    /// The trie node serving `path`, collecting its parameters; throws the 400 or 404 to answer otherwise.
    private func node(for path: String, parameters: inout Parameters) throws(HTTPError) -> RouteNode {
        if let exact = exactPaths[path] { return exact }
        guard let segments = PercentDecoding.pathSegments(path) else {
            throw HTTPError(.badRequest, detail: "The request path is not a valid path.")
        }
        guard let found = root.find(segments[...], parameters: &parameters) else { throw HTTPError(.notFound) }
        return found
    }

    public func respond(to request: Request) async -> Response {
        var request = request
        do {
            var parameters = Parameters()
            let node = try self.node(for: request.path, parameters: &parameters)
            guard let endpoint = node.endpoint(for: request.method) else {
                throw HTTPError(.methodNotAllowed, headers: ["Allow": node.allowHeader])
            }
            request.parameters = parameters
            request.route = endpoint.template
            var response = try await endpoint.handler(request)
            response.route = endpoint.template
            return response
        } catch {
            var response: Response
            if let problem = error as? HTTPError ?? errorMapper(error) {
                response = problem.response(requestID: request.id)
            } else {
                // A cancelled handler (client gone, handler or drain timeout) fails with whatever its awaits
                // throw: expected, and its answer is rarely written, so it is no 500 and nothing to report.
                let cancelled = error is CancellationError || Task.isCancelled
                if !cancelled { errorReporter(error, request) }
                response = HTTPError(cancelled ? .serviceUnavailable : .internalServerError).response(requestID: request.id)
            }
            response.route = request.route
            return response
        }
    }
}

enum RouteSegment {
    case literal(String)
    case parameter(String)

    init(_ text: Substring) {
        if text.hasPrefix("{") && text.hasSuffix("}") && text.count > 2 {
            self = .parameter(String(text.dropFirst().dropLast()))
        } else {
            self = .literal(String(text))
        }
    }
}

struct Endpoint {
    let template: String
    let handler: Handler
}

/// A node of the route trie: literal children first, then at most one parameter child.
struct RouteNode {
    var literals: [String: RouteNode] = [:]
    var parameterName: String?
    var parameterChild: [RouteNode] = []
    var endpoints: [HTTPMethod: Endpoint] = [:]

    mutating func insert(_ segments: ArraySlice<RouteSegment>, method: HTTPMethod, template: String, handler: @escaping Handler) -> Bool {
        guard let first = segments.first else {
            guard endpoints[method] == nil else { return false }
            endpoints[method] = Endpoint(template: template, handler: handler)
            return true
        }
        switch first {
        case .literal(let text):
            return literals[text, default: RouteNode()].insert(segments.dropFirst(), method: method, template: template, handler: handler)
        case .parameter(let name):
            precondition(parameterName == nil || parameterName == name, "conflicting parameter names at {\(name)} in \(template)")
            parameterName = name
            if parameterChild.isEmpty { parameterChild.append(RouteNode()) }
            return parameterChild[0].insert(segments.dropFirst(), method: method, template: template, handler: handler)
        }
    }

    func find(_ segments: ArraySlice<String>, parameters: UnsafeMutablePointer<Parameters>?) -> RouteNode? {
        guard let first = segments.first else { return self }
        if let child = literals[first], let found = child.find(segments.dropFirst(), parameters: parameters) {
            return found
        }
        guard let parameterName, let child = parameterChild.first, !first.isEmpty,
            let found = child.find(segments.dropFirst(), parameters: parameters)
        else { return nil }
        parameters?.pointee.append(name: parameterName, value: first)
        return found
    }

    func endpoint(for method: HTTPMethod) -> Endpoint? {
        endpoints[method] ?? (method == .head ? endpoints[.get] : nil)
    }

    var allowHeader: String {
        var methods = Set(endpoints.keys)
        if methods.contains(.get) { methods.insert(.head) }
        return HTTPMethod.allCases.filter(methods.contains).map(\.rawValue).joined(separator: ", ")
    }
}
