import FoundationEssentials
import ServiceKit

/// The example resource: a small CRUD API over the `items` table. Replace it with yours.
struct ItemsAPI: Sendable {
    struct Item: Encodable, Sendable {
        var id: Int64
        var name: String
        /// Encoded as a JSON number with its exact value (through `Decimal`, never a binary float).
        var price: PostgresNumeric

        /// The same bytes as `Response.json(self)`, written directly. The two reads (`GET /items/{id}`, `GET /items`)
        /// are the hot paths: through `JSONEncoder` (a `Decimal` per price, a dictionary per object) they cost about a
        /// third more server CPU for one item and three times as much for a 20-item page. Writes use
        /// `Response.json`. `ItemsJSONTests` holds the two encodings equal.
        func appendJSON(to body: inout [UInt8]) {
            body.append(contentsOf: #"{"id":\#(id),"name":"#.utf8)
            JSONText.appendString(name, to: &body)
            body.append(contentsOf: #","price":\#(Self.withoutTrailingFractionZeros(price.description))}"#.utf8)
        }

        var jsonBytes: [UInt8] {
            var body: [UInt8] = []
            body.reserveCapacity(64 + name.utf8.count)
            appendJSON(to: &body)
            return body
        }

        /// `12.50` as `Decimal` writes it: `12.5` (`10.00`: `10`).
        static func withoutTrailingFractionZeros(_ text: String) -> Substring {
            guard text.contains(".") else { return Substring(text) }
            var digits = Substring(text)
            while digits.hasSuffix("0") { digits = digits.dropLast() }
            return digits.hasSuffix(".") ? digits.dropLast() : digits
        }
    }

    struct ItemPage: Encodable, Sendable {
        var items: [Item]
        /// The `after` of the next page; `null` on the last one.
        var nextAfter: Int64?

        enum CodingKeys: String, CodingKey {
            case items
            case nextAfter = "next_after"
        }

        /// Written out only because the synthesized encoder leaves a nil out, and the schema requires the key.
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(items, forKey: .items)
            try container.encode(nextAfter, forKey: .nextAfter)
        }

        /// The same bytes as `Response.json(self)`, written directly (see ``Item/appendJSON(to:)``).
        var jsonBytes: [UInt8] {
            var body: [UInt8] = Array(#"{"items":["#.utf8)
            body.reserveCapacity(32 + items.count * 64)
            for (index, item) in items.enumerated() {
                if index > 0 { body.append(UInt8(ascii: ",")) }
                item.appendJSON(to: &body)
            }
            body.append(contentsOf: #"],"next_after":\#(nextAfter.map(String.init) ?? "null")}"#.utf8)
            return body
        }
    }

    struct ItemInput: Decodable, Sendable {
        var name: String?
        /// A JSON number only, like the responses: `Decimal` decodes its digits exactly, never through a binary
        /// float, and refuses a JSON string (a 400).
        var price: Decimal?
    }

    static let maxPageSize = 100

    let pool: PostgresPool

    func install(into router: inout Router) {
        router.get("/items", use: list)
        router.post("/items", use: create)
        router.get("/items/{id}", use: get)
        router.put("/items/{id}", use: update)
        router.delete("/items/{id}", use: delete)
    }

    @Sendable func get(_ request: Request) async throws -> Response {
        let id = try request.parameters.require("id", as: Int64.self)
        let rows = try await pool.query("SELECT id, name, price FROM items WHERE id = $1", id, idempotent: true)
        guard let row = rows.first else { throw HTTPError(.notFound, detail: "No item with id \(id).") }
        return .json(bytes: try Self.item(row).jsonBytes)
    }

    @Sendable func list(_ request: Request) async throws -> Response {
        let limit = try Self.integerQuery(request, "limit", default: 20, range: 1...Int64(Self.maxPageSize))
        let after = try Self.integerQuery(request, "after", default: 0, range: 0...Int64.max)
        let rows = try await pool.query("SELECT id, name, price FROM items WHERE id > $1 ORDER BY id LIMIT $2", after, limit, idempotent: true)
        let items = try rows.map(Self.item)
        let page = ItemPage(items: items, nextAfter: items.count == Int(limit) ? items.last?.id : nil)
        return .json(bytes: page.jsonBytes)
    }

    @Sendable func create(_ request: Request) async throws -> Response {
        let (name, price) = try Self.validate(try request.decodeJSON(ItemInput.self))
        let rows = try await mapConflicts {
            try await pool.query("INSERT INTO items (name, price) VALUES ($1, $2::numeric) RETURNING id, name, price", name, price.description)
        }
        let item = try Self.item(rows[0])
        var response = try Response.json(item, status: .created)
        response.headers.add(name: "Location", value: "/items/\(item.id)")
        return response
    }

    @Sendable func update(_ request: Request) async throws -> Response {
        let id = try request.parameters.require("id", as: Int64.self)
        let (name, price) = try Self.validate(try request.decodeJSON(ItemInput.self))
        let rows = try await mapConflicts {
            try await pool.query(
                "UPDATE items SET name = $2, price = $3::numeric WHERE id = $1 RETURNING id, name, price", id, name, price.description
            )
        }
        guard let row = rows.first else { throw HTTPError(.notFound, detail: "No item with id \(id).") }
        return try .json(Self.item(row))
    }

    @Sendable func delete(_ request: Request) async throws -> Response {
        let id = try request.parameters.require("id", as: Int64.self)
        let rows = try await pool.query("DELETE FROM items WHERE id = $1 RETURNING id", id)
        guard !rows.isEmpty else { throw HTTPError(.notFound, detail: "No item with id \(id).") }
        return Response(status: .noContent)
    }

    private func mapConflicts(_ body: () async throws -> PostgresRows) async throws -> PostgresRows {
        do {
            return try await body()
        } catch let error as PostgresError where error.code == .uniqueViolation {
            throw HTTPError(.conflict, detail: "An item with this name already exists.")
        }
    }

    static func item(_ row: PostgresRow) throws -> Item {
        Item(
            id: try row.decode(Int64.self, column: "id"), name: try row.decode(String.self, column: "name"),
            price: try row.decode(PostgresNumeric.self, column: "price")
        )
    }

    static func validate(_ input: ItemInput) throws(HTTPError) -> (String, PostgresNumeric) {
        var errors: [HTTPError.FieldError] = []
        let name = input.name ?? ""
        // Code points, as PostgreSQL's char_length and JSON Schema's maxLength count (not grapheme clusters);
        // PostgreSQL text cannot hold NUL at all.
        let length = name.unicodeScalars.count
        if input.name == nil {
            errors.append(.init(field: "name", message: "is required"))
        } else if length == 0 || length > 200 {
            errors.append(.init(field: "name", message: "must be 1 to 200 characters"))
        } else if name.utf8.contains(0) {
            errors.append(.init(field: "name", message: "must not contain NUL"))
        }
        let price = input.price.flatMap { PostgresNumeric($0.description) }
        if let price {
            if !isValidPrice(price) { errors.append(.init(field: "price", message: "must be a number ≥ 0 with at most 2 decimals and 10 integer digits")) }
        } else {
            errors.append(.init(field: "price", message: "is required"))
        }
        guard errors.isEmpty, let price else { throw HTTPError(.unprocessableContent, detail: "The item is not valid.", fieldErrors: errors) }
        return (name, price)
    }

    static func isValidPrice(_ price: PostgresNumeric) -> Bool {
        let text = price.description
        guard !text.hasPrefix("-"), !price.isNaN, text != "Infinity" else { return false }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        return parts[0].count <= 10 && (parts.count == 1 || parts[1].count <= 2)
    }

    static func integerQuery(_ request: Request, _ name: String, default value: Int64, range: ClosedRange<Int64>) throws(HTTPError) -> Int64 {
        guard let raw = try request.queryParameter(name) else { return value }
        guard let number = Int64(raw), range.contains(number) else {
            throw HTTPError(
                .badRequest, detail: "Query parameter '\(name)' must be an integer in \(range.lowerBound)...\(range.upperBound).",
                fieldErrors: [.init(field: name, message: "out of range")]
            )
        }
        return number
    }
}
