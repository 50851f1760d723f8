import HTTPServer
import Postgres
import Testing

@testable import App

/// The items' directly written JSON is a fast path, not a second definition: it must equal what `JSONEncoder` writes.
@Suite struct ItemsJSONTests {
    static let names = ["plain", "quote \" and \\ backslash", "a/b", "tab\tnew\nline\u{1}\u{1F}", "\u{7F} caf\u{E9} \u{2028} \u{1F600}", ""]
    static let prices = ["0", "0.00", "0.57", "12.50", "10.00", "120", "9999999999.99"]

    static func page(nextAfter: Int64?) -> ItemsAPI.ItemPage {
        let items = names.enumerated().flatMap { index, name in
            prices.map { ItemsAPI.Item(id: Int64(index * 100) + 1, name: name, price: PostgresNumeric($0)!) }
        }
        return ItemsAPI.ItemPage(items: items, nextAfter: nextAfter)
    }

    @Test func itemFastPathEqualsTheEncoder() throws {
        for item in Self.page(nextAfter: nil).items {
            let encoded = String(decoding: try Response.json(item).body, as: UTF8.self)
            #expect(String(decoding: item.jsonBytes, as: UTF8.self) == encoded)
        }
    }

    @Test(arguments: [nil, 1, Int64.max])
    func pageFastPathEqualsTheEncoder(nextAfter: Int64?) throws {
        for page in [Self.page(nextAfter: nextAfter), ItemsAPI.ItemPage(items: [], nextAfter: nextAfter)] {
            let encoded = String(decoding: try Response.json(page).body, as: UTF8.self)
            let written = String(decoding: page.jsonBytes, as: UTF8.self)
            #expect(written == encoded)
        }
    }
}
