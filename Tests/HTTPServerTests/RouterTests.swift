import FoundationEssentials
import TestSupport
import Testing

@testable import HTTPServer

/// The problem+json body (RFC 9457) as a client reads it.
struct Problem: Decodable, Equatable {
    var type: String
    var title: String
    var status: Int
    var detail: String?
    var request_id: String
    var errors: [HTTPError.FieldError]?
}

struct ItemNotFound: Error {
    let secret = "connection string postgres://user:hunter2@db"
}

@Suite("Router")
struct RouterTests {
    static func makeRouter(reported: Recorder<String>? = nil) -> Router {
        var router = Router()
        router.get("/items") { _ in .text("list") }
        router.post("/items") { request in .text("created \(request.body.count)", status: .created) }
        router.get("/items/new") { _ in .text("literal") }
        router.get("/items/{id}") { request in
            let id = try request.parameters.require("id", as: Int64.self)
            return .text("item \(id)")
        }
        router.delete("/items/{id}") { request in .text("deleted \(request.parameters["id"] ?? "?")") }
        router.get("/files/{name}/raw") { request in .text(request.parameters["name"] ?? "?") }
        router.get("/search") { request in
            .text("q=\(try request.queryParameter("q") ?? "nil") page=\(try request.queryParameter("page") ?? "nil")")
        }
        router.get("/boom") { _ in throw ItemNotFound() }
        router.post("/validate") { _ in
            throw HTTPError(
                .unprocessableContent, detail: "The item is invalid.",
                fieldErrors: [.init(field: "name", message: "must not be empty"), .init(field: "price", message: "must be positive")]
            )
        }
        router.get("/") { _ in .text("root") }
        if let reported {
            router.errorReporter = { error, request in reported.append("\(type(of: error)) \(request.id)") }
        }
        return router
    }

    func respond(_ method: HTTPMethod, _ target: String, router: Router = makeRouter()) async -> Response {
        let parts = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        let request = Request(method: method, path: String(parts[0]), query: parts.count > 1 ? String(parts[1]) : nil, id: "req-1")
        return await router.respond(to: request)
    }

    func problem(_ response: Response) throws -> Problem {
        #expect(response.headers["Content-Type"] == "application/problem+json")
        return try JSONDecoder().decode(Problem.self, from: Data(response.body))
    }

    func text(_ response: Response) -> String { String(decoding: response.body, as: UTF8.self) }

    @Test func matchesLiteralAndParameterRoutes() async {
        #expect(text(await respond(.get, "/items")) == "list")
        #expect(text(await respond(.get, "/items/42")) == "item 42")
        #expect(text(await respond(.get, "/")) == "root")
        let created = await respond(.post, "/items")
        #expect(created.status == .created)
        #expect(created.route == "/items")
    }

    @Test func literalSegmentWinsOverParameter() async {
        let response = await respond(.get, "/items/new")
        #expect(text(response) == "literal")
        #expect(response.route == "/items/new")
        #expect(await respond(.get, "/items/7").route == "/items/{id}")
    }

    @Test func unknownPathIs404() async throws {
        let response = await respond(.get, "/nope")
        #expect(response.status == .notFound)
        let problem = try problem(response)
        #expect(problem == Problem(type: "about:blank", title: "Not Found", status: 404, request_id: "req-1"))
        #expect(await respond(.get, "/items/42/more").status == .notFound)
        #expect(await respond(.get, "/items/").status == .notFound, "an empty segment is not a parameter value")
    }

    @Test func knownPathWithAnotherMethodIs405WithAllow() async throws {
        let collection = await respond(.put, "/items")
        #expect(collection.status == .methodNotAllowed)
        #expect(collection.headers["Allow"] == "GET, HEAD, POST")
        #expect(try problem(collection).status == 405)
        let item = await respond(.post, "/items/1")
        #expect(item.status == .methodNotAllowed)
        #expect(item.headers["Allow"] == "GET, HEAD, DELETE")
    }

    /// Parameterless routes are looked up by their exact path first; a spelling that must be decoded takes the trie.
    /// Both must answer alike, 405 and its `Allow` included.
    @Test(arguments: [("/items", "/%69tems"), ("/items/new", "/items/ne%77"), ("/search", "/searc%68")])
    func exactPathsAnswerLikeTheirEncodedSpelling(raw: String, encoded: String) async {
        #expect(await respond(.get, raw).route == raw)
        for method in [HTTPMethod.get, .head, .put, .delete] {
            let direct = await respond(method, raw)
            let decoded = await respond(method, encoded)
            #expect(direct.status == decoded.status, "\(method) \(raw)")
            #expect(direct.route == decoded.route, "\(method) \(raw)")
            #expect(direct.headers["Allow"] == decoded.headers["Allow"], "\(method) \(raw)")
            #expect(direct.body == decoded.body, "\(method) \(raw)")
        }
    }

    /// A pattern written with a trailing slash names the same route as without one (empty segments are dropped);
    /// a request path keeps its empty segments, so `/a/` is not `/a`.
    @Test func patternSpellingsShareOneRoute() async {
        var router = Router()
        router.get("/a") { _ in .text("get") }
        router.post("/a/") { _ in .text("post") }
        #expect(text(await respond(.post, "/a", router: router)) == "post")
        #expect(text(await respond(.get, "/a", router: router)) == "get")
        #expect(await respond(.get, "/a/", router: router).status == .notFound)
    }

    @Test func headIsServedByTheGetHandler() async {
        let response = await respond(.head, "/items/5")
        #expect(response.status == .ok)
        #expect(text(response) == "item 5", "the router keeps the body; the server omits it on the wire")
        #expect(await respond(.head, "/validate").status == .methodNotAllowed)
    }

    @Test func typedParameterErrorIs400Problem() async throws {
        let response = await respond(.get, "/items/abc")
        #expect(response.status == .badRequest)
        let problem = try problem(response)
        #expect(problem.status == 400)
        #expect(problem.title == "Bad Request")
        #expect(problem.detail == "Path parameter 'id' must be a valid Int64.")
        #expect(problem.request_id == "req-1")
        #expect(await respond(.get, "/items/99999999999999999999").status == .badRequest, "overflow is not a valid Int64")
    }

    @Test func percentDecodingHappensAfterSplitting() async {
        #expect(text(await respond(.get, "/files/a%2Fb/raw")) == "a/b", "an encoded slash stays inside its segment")
        #expect(text(await respond(.get, "/files/caf%C3%A9%20au%20lait/raw")) == "café au lait")
        #expect(text(await respond(.delete, "/items/x%3Fy")) == "deleted x?y")
        #expect(await respond(.get, "/files/a/b/raw").status == .notFound)
        #expect(text(await respond(.get, "/%69tems/1")) == "item 1", "literal segments match decoded")
    }

    @Test(
        "dot segments, raw or encoded, and bad escapes are 400",
        arguments: [
            "/items/..", "/items/../items", "/..", "/./items", "/items/.", "/items/%2E%2E", "/items/%2e%2e/x", "/items/.%2E",
            "/items/%2e", "/files/%2E%2E/raw", "/items/%zz", "/items/%4", "/items/%00", "/items/%C3", "/items/%FF",
        ]
    )
    func dotSegmentsAndBadEscapesAre400(_ path: String) async throws {
        let response = await respond(.get, path)
        #expect(response.status == .badRequest)
        #expect(try problem(response).detail == "The request path is not a valid path.")
    }

    @Test func queryParameters() async {
        #expect(text(await respond(.get, "/search?q=a+b%26c&page=2")) == "q=a b&c page=2")
        #expect(text(await respond(.get, "/search?page=&q")) == "q= page=")
        #expect(text(await respond(.get, "/search?x=1&&q=only&x=2")) == "q=only page=nil", "others may repeat")
        #expect(text(await respond(.get, "/search")) == "q=nil page=nil")
        #expect(text(await respond(.get, "/search?%71=encoded-key")) == "q=encoded-key page=nil")
        #expect(text(await respond(.get, "/search?q=ok&%zz=1")) == "q=ok page=nil", "an undecodable name is not q")
    }

    /// A value that cannot be read, or a parameter given twice, is a 400 naming it: never the default, never a guess.
    @Test(arguments: [
        ("/search?q=%zz", "is not valid percent-encoded UTF-8."), ("/search?q=a%00b", "is not valid percent-encoded UTF-8."),
        ("/search?q=%C3%28", "is not valid percent-encoded UTF-8."), ("/search?q=1&q=2", "is given more than once."),
        ("/search?q=%zz&q=%00", "is not valid percent-encoded UTF-8."), ("/search?q=first&%71=second", "is given more than once."),
    ])
    func unreadableOrRepeatedQueryParameterIs400(_ target: String, _ reason: String) async throws {
        let response = await respond(.get, target)
        #expect(response.status == .badRequest)
        #expect(try problem(response).detail == "Query parameter 'q' \(reason)")
    }

    @Test func unexpectedErrorIs500WithRequestIDAndIsReported() async throws {
        let reported = Recorder<String>()
        let response = await respond(.get, "/boom", router: Self.makeRouter(reported: reported))
        #expect(response.status == .internalServerError)
        let problem = try problem(response)
        #expect(problem == Problem(type: "about:blank", title: "Internal Server Error", status: 500, request_id: "req-1"))
        #expect(!text(response).contains("hunter2"), "internal detail must not reach the client")
        #expect(response.route == "/boom")
        #expect(reported.values == ["ItemNotFound req-1"])
    }

    @Test func expectedErrorsAreNotReported() async {
        let reported = Recorder<String>()
        let router = Self.makeRouter(reported: reported)
        _ = await respond(.get, "/nope", router: router)
        _ = await respond(.get, "/items/abc", router: router)
        _ = await respond(.post, "/validate", router: router)
        #expect(reported.values.isEmpty)
    }

    @Test func cancelledHandlerIsNotAnUnexpectedError() async {
        let reported = Recorder<String>()
        var router = Router()
        router.errorReporter = { error, request in reported.append("\(type(of: error)) \(request.id)") }
        // Waits until cancelled (client gone, drain timeout), then fails as a cancelled await does ...
        router.get("/wait") { _ in
            try await Task.sleep(for: .seconds(3600))
            return .text("never")
        }
        // ... or with an error of its own, as a cancelled database query does.
        router.get("/wrapped") { _ in
            do { try await Task.sleep(for: .seconds(3600)) } catch { throw ItemNotFound() }
            return .text("never")
        }
        for path in ["/wait", "/wrapped"] {
            let handler = Task { [router] in await router.respond(to: Request(method: .get, path: path, id: "req-1")) }
            handler.cancel()
            let response = await handler.value
            #expect(response.status == .serviceUnavailable, "\(path)")
            #expect(response.route == path)
        }
        #expect(reported.values.isEmpty)
    }

    @Test func errorMapperTurnsADependencyErrorIntoItsProblem() async throws {
        struct PoolBusy: Error {}
        let reported = Recorder<String>()
        var router = Self.makeRouter(reported: reported)
        router.get("/busy") { _ in throw PoolBusy() }
        router.errorMapper = { error in
            error is PoolBusy ? HTTPError(.serviceUnavailable, detail: "Busy.", headers: ["Retry-After": "1"]) : nil
        }
        let busy = await respond(.get, "/busy", router: router)
        #expect(busy.status == .serviceUnavailable)
        #expect(busy.headers["Retry-After"] == "1")
        #expect(try problem(busy).detail == "Busy.")
        #expect(busy.route == "/busy")
        #expect(await respond(.get, "/boom", router: router).status == .internalServerError, "unmapped errors stay 500")
        #expect(reported.values == ["ItemNotFound req-1"])
    }

    @Test func fieldErrorsRenderAs422WithErrors() async throws {
        let response = await respond(.post, "/validate")
        #expect(response.status == .unprocessableContent)
        let problem = try problem(response)
        #expect(problem.status == 422)
        #expect(problem.detail == "The item is invalid.")
        #expect(
            problem.errors == [.init(field: "name", message: "must not be empty"), .init(field: "price", message: "must be positive")]
        )
        #expect(text(response).contains("\"request_id\":\"req-1\""))
    }

    @Test func matchNamesTheRouteTemplate() {
        let router = Self.makeRouter()
        #expect(router.match(method: .get, path: "/items/12") == "/items/{id}")
        #expect(router.match(method: .head, path: "/items/12") == "/items/{id}")
        #expect(router.match(method: .put, path: "/items/12") == nil)
        #expect(router.match(method: .get, path: "/items/%2E%2E") == nil)
        #expect(router.routes.count == 10)
    }
}
