import FoundationEssentials
import HTTPServer
import Lifecycle
import Observability
import Postgres
import TestSupport
import Testing

@testable import App
@testable import ServiceKit

/// The items API through the real traffic router, on a real PostgreSQL.
@Suite(.requiresPostgreSQL) struct ItemsAPITests {
    /// The problem+json body as a client reads it.
    struct Problem: Decodable {
        struct FieldError: Decodable {
            var field: String
            var message: String
        }

        var status: Int
        var request_id: String
        var errors: [FieldError]?
    }

    /// Runs `body` with the traffic router over a fresh pool of `poolConfiguration`.
    func withRouter(
        _ poolConfiguration: PostgresPoolConfiguration = .init(
            minimumConnections: 0, maximumConnections: 2, acquireTimeout: PoolFixture.unhurriedAcquire),
        _ body: @Sendable (Router, PostgresPool) async throws -> Void
    ) async throws {
        try await ItemsDatabase.migrate()
        try await PoolFixture.withPool(poolConfiguration) { pool in
            let health = HealthRegistry(checkInterval: .seconds(1), checkTimeout: .seconds(1))
            var router = ServiceAssembly.trafficRouter(
                pool: pool, health: health, openAPIDocument: nil, logger: Logger(label: "test", level: .critical)
            )
            ItemsAPI(pool: pool).install(into: &router)
            try await body(router, pool)
        }
    }

    func send(_ router: Router, _ method: HTTPMethod, _ path: String, json: String? = nil) async -> Response {
        let headers: HTTPHeaders = json == nil ? [:] : ["Content-Type": "application/json"]
        return await router.respond(to: Request(method: method, path: path, headers: headers, body: Array((json ?? "").utf8), id: "req-1"))
    }

    func itemJSON(name: String, price: String) -> String {
        var body = Array(#"{"name":"#.utf8)
        JSONText.appendString(name, to: &body)
        body += Array(#","price":\#(price)}"#.utf8)
        return String(decoding: body, as: UTF8.self)
    }

    func problem(_ response: Response) throws -> Problem {
        #expect(response.headers["Content-Type"] == "application/problem+json")
        return try JSONDecoder().decode(Problem.self, from: Data(response.body))
    }

    /// A name no other test or earlier run uses (the index on `name` is unique), 16 code points long.
    func uniqueName() -> String {
        let hex = String(UInt64.random(in: 0 ... .max), radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    @Test func nameLengthCountsCodePointsLikePostgreSQL() async throws {
        try await withRouter { router, pool in
            // "é" as e + combining accent: one Character, two code points; PostgreSQL's char_length counts two.
            let fits = uniqueName() + String(repeating: "e\u{301}", count: 92)
            #expect(fits.unicodeScalars.count == 200)
            let created = await send(router, .post, "/items", json: itemJSON(name: fits, price: "1.50"))
            #expect(created.status == .created)
            let stored = try await pool.query("SELECT char_length(name) FROM items WHERE name = $1", fits)
            #expect(try stored.first?.decode(Int.self, at: 0) == 200)

            let tooLong = fits + "e"
            let refused = await send(router, .post, "/items", json: itemJSON(name: tooLong, price: "1.50"))
            #expect(refused.status == .unprocessableContent)
            #expect(try problem(refused).errors?.map(\.field) == ["name"])
        }
    }

    @Test func nameWithNULIsAValidationError() async throws {
        try await withRouter { router, _ in
            for method in [HTTPMethod.post, .put] {
                let response = await send(router, method, method == .post ? "/items" : "/items/1", json: itemJSON(name: "a\u{0}b", price: "2"))
                let fields = try problem(response).errors?.map(\.field)
                #expect(response.status == .unprocessableContent, "\(method)")
                #expect(fields == ["name"])
            }
        }
    }

    @Test func priceIsAnExactJSONNumberBothWays() async throws {
        try await withRouter { router, _ in
            // 0.57 has no exact binary float; the value must survive exactly (12.50 and 12.5 are the same JSON number).
            let created = await send(router, .post, "/items", json: itemJSON(name: uniqueName(), price: "0.57"))
            #expect(created.status == .created)
            #expect(String(decoding: created.body, as: UTF8.self).hasSuffix(#","price":0.57}"#))
            let whole = await send(router, .post, "/items", json: itemJSON(name: uniqueName(), price: "12.5"))
            #expect(String(decoding: whole.body, as: UTF8.self).hasSuffix(#","price":12.5}"#))

            let tooFine = await send(router, .post, "/items", json: itemJSON(name: uniqueName(), price: "1.005"))
            #expect(tooFine.status == .unprocessableContent)
            let string = await send(router, .post, "/items", json: itemJSON(name: uniqueName(), price: #""12.50""#))
            #expect(string.status == .badRequest)
        }
    }

    @Test func exhaustedPoolIs503WithRetryAfter() async throws {
        try await withRouter(.init(minimumConnections: 0, maximumConnections: 1, acquireTimeout: .milliseconds(200))) { router, pool in
            try await PoolFixture.warmUp(pool)
            let gate = Gate()
            let holder = await PoolFixture.holdConnection(of: pool, until: gate)
            let response = await send(router, .get, "/items/1")
            gate.open()
            try await holder.value
            #expect(response.status == .serviceUnavailable)
            #expect(response.headers["Retry-After"] == "1")
            #expect(try problem(response).request_id == "req-1")
        }
    }
}
