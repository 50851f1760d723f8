import CLibPQ
import Testing

@testable import Postgres

@Suite struct PostgresConnectionStringTests {
    /// The keywords `PQconndefaults` lists for the linked libpq, and which of them it marks secret.
    private static func libpqKeywords() -> [(keyword: String, isSecret: Bool)] {
        guard let defaults = PQconndefaults() else { return [] }
        defer { PQconninfoFree(defaults) }
        var result: [(String, Bool)] = []
        var option = defaults
        while let keyword = option.pointee.keyword {
            result.append((String(cString: keyword), option.pointee.dispchar.map { String(cString: $0) } == "*"))
            option += 1
        }
        return result
    }

    @Test func everyKeywordOfTheLinkedLibpqIsAcceptedAndItsSecretsRedacted() throws {
        let keywords = Self.libpqKeywords()
        #expect(keywords.count >= 36)
        for (keyword, isSecret) in keywords {
            let parsed = try PostgresConnectionString("\(keyword)=v4lue")
            #expect(parsed.value(keyword) == "v4lue")
            #expect(parsed.secretKeywords.contains(keyword) == isSecret, "\(keyword)")
            #expect(parsed.redacted.contains("v4lue") == !isSecret, "\(keyword)")
        }
        #expect(keywords.filter(\.isSecret).map(\.keyword).contains("password"))
    }

    @Test func unknownKeywordIsRefusedWithLibpqsMessage() {
        let error = #expect(throws: PostgresError.self) { try PostgresConnectionString("host=db no_such_option=1") }
        #expect(error?.code == .invalidConfiguration)
        #expect(error?.summary == "invalid connection option \"no_such_option\"")
    }

    @Test func redactedKeepsTheTextWithoutSecretsAndPairsWithThem() throws {
        #expect(try PostgresConnectionString("postgres://app@db/app?sslmode=require").redacted == "postgres://app@db/app?sslmode=require")
        #expect(try PostgresConnectionString("postgres://app:pw@db/app").redacted == "user=app password=*** dbname=app host=db")
        #expect(try PostgresConnectionString("host=db password='a b' options='-c x=1'").redacted == "password=*** host=db options='-c x=1'")
    }

    /// libpq quotes the whole URI, or a token of the string, in some messages; only a keyword survives.
    @Test(arguments: [
        ("postgres://u:pw@[::1/app", "end of string reached when looking for matching \"]\" in IPv6 host address in URI: \"***\""),
        ("postgres://u:pw@[::1]x/app", "unexpected character \"***\" at position 22 in URI (expected \":\" or \"/\"): \"***\""),
        ("postgres://u:p%zzw@db", "invalid percent-encoded token: \"***\""),
        ("host=db password=correct horse", "missing \"=\" after \"***\" in connection info string"),
        ("postgres://db/app?sslmod=require", "invalid URI query parameter: \"sslmod\""),
        ("postgres://u:p\"w@[::1/app", "end of string reached when looking for matching \"***\""),
    ])
    func messagesLoseWhatCouldBeAPassword(input: String, message: String) {
        let error = #expect(throws: PostgresError.self) { try PostgresConnectionString(input) }
        #expect(error?.summary == message)
    }
}
