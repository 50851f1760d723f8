import FoundationEssentials
import HTTPServer
import IO
import Lifecycle
import Observability
import Postgres
import TestSupport
import Testing

@testable import App
@testable import ServiceKit

/// Keeps `GET /openapi.json` true to the traffic router: same routes, valid JSON, OpenAPI 3.1.
@Suite struct OpenAPIDocumentTests {
    static let methods = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]

    /// `/items/{id}` and `/items/{itemID}/` name the same route: parameter names and a trailing slash do not count.
    static func normalised(_ path: String) -> String {
        var result = ""
        var inParameter = false
        for character in path {
            if character == "{" {
                inParameter = true
                result += "{}"
            } else if character == "}" {
                inParameter = false
            } else if !inParameter {
                result.append(character)
            }
        }
        return result.count > 1 && result.hasSuffix("/") ? String(result.dropLast()) : result
    }

    static func document() throws -> StrictJSON {
        try StrictJSON.parse(OpenAPIDocument.bytes)
    }

    /// `METHOD path` of every operation in `paths`.
    static func documentedOperations(_ document: StrictJSON) -> Set<String> {
        guard case .object(let paths) = document["paths"] else { return [] }
        var operations = Set<String>()
        for path in paths {
            for method in path.value.keys where methods.contains(method) {
                operations.insert("\(method.uppercased()) \(normalised(path.key))")
            }
        }
        return operations
    }

    @Test func everyRoutedPathAndMethodIsDocumentedAndViceVersa() throws {
        var settings = ServiceSettings(database: .init(url: Secret("postgresql://nobody@127.0.0.1:1/none")))
        settings.admin.port = 0
        settings.ioThreads = 1
        let application = try ServiceAssembly(
            ItemsService.self, settings: (),
            configuration: try ServiceConfiguration(settings: settings),
            logger: Logger(label: "test", level: .critical)
        )
        defer { application.group.shutdown() }
        let routed = Set(application.trafficRoutes.map { "\($0.method.rawValue) \(Self.normalised($0.path))" })
        let documented = Self.documentedOperations(try Self.document())

        #expect(routed.contains("GET /openapi.json"))
        #expect(routed.contains("GET /readyz/{}"))
        #expect(routed.subtracting(documented).sorted() == [], "routed but missing from openapi.json")
        #expect(documented.subtracting(routed).sorted() == [], "documented in openapi.json but not routed")
    }

    @Test func normalisingIgnoresParameterNamesAndTrailingSlashes() {
        #expect(Self.normalised("/items/{itemID}/") == Self.normalised("/items/{id}"))
        #expect(Self.normalised("/") == "/")
        #expect(Self.normalised("/items/{id}") != Self.normalised("/items"))
    }

    @Test func isStrictJSONDeclaringOpenAPI31() throws {
        let document = try Self.document()
        guard case .string(let version) = document["openapi"] else {
            Issue.record("no openapi version string")
            return
        }
        #expect(version.hasPrefix("3.1."))
        #expect(Self.duplicateKeys(document) == [], "a later duplicate key silently replaces the earlier one")
    }

    @Test func everyReferenceResolvesAndEveryPathParameterIsDeclared() throws {
        let document = try Self.document()
        for reference in Self.references(document) {
            #expect(Self.resolve(reference, in: document) != nil, "unresolved $ref \(reference)")
        }
        guard case .object(let paths) = document["paths"] else {
            Issue.record("no paths")
            return
        }
        for path in paths {
            let templateNames = path.key.split(separator: "{").dropFirst().map { String($0.prefix { $0 != "}" }) }
            for method in path.value.keys where Self.methods.contains(method) {
                let declared = Self.pathParameterNames(path.value["parameters"], document)
                    .union(Self.pathParameterNames(path.value[method]?["parameters"], document))
                #expect(declared == Set(templateNames), "\(method.uppercased()) \(path.key)")
            }
        }
    }

    @Test func isServedOnTheTrafficPort() async throws {
        let group = try EventLoopGroup(threadCount: 1)
        defer { group.shutdown() }
        let pool = PostgresPool(configuration: try PostgresConfiguration(url: "postgresql://nobody@127.0.0.1:1/none"), eventLoopGroup: group)
        let router = ServiceAssembly.trafficRouter(
            pool: pool, health: HealthRegistry(checkInterval: .seconds(1), checkTimeout: .seconds(1)),
            openAPIDocument: ItemsService.openAPIDocument, logger: Logger(label: "test", level: .critical)
        )
        let response = await router.respond(to: Request(method: .get, path: "/openapi.json"))
        #expect(response.status == .ok)
        #expect(response.headers["Content-Type"] == "application/json")
        let file = try Data(contentsOf: URL(filePath: "\(Shell.repositoryRoot)/Sources/App/openapi.json"))
        let servesTheFile = response.body == Array(file)
        #expect(servesTheFile, "the served document is Sources/App/openapi.json as it is")
    }

    static func duplicateKeys(_ value: StrictJSON, at pointer: String = "") -> [String] {
        switch value {
        case .object(let members):
            var seen = Set<String>()
            var duplicates: [String] = []
            for member in members {
                if !seen.insert(member.key).inserted { duplicates.append("\(pointer)/\(member.key)") }
                duplicates += duplicateKeys(member.value, at: "\(pointer)/\(member.key)")
            }
            return duplicates
        case .array(let elements):
            return elements.enumerated().flatMap { duplicateKeys($1, at: "\(pointer)/\($0)") }
        default:
            return []
        }
    }

    static func references(_ value: StrictJSON) -> [String] {
        switch value {
        case .object(let members):
            members.flatMap { member -> [String] in
                if member.key == "$ref", case .string(let reference) = member.value { return [reference] }
                return references(member.value)
            }
        case .array(let elements):
            elements.flatMap(references)
        default:
            []
        }
    }

    /// Follows a local JSON pointer such as `#/components/schemas/Item`.
    static func resolve(_ reference: String, in document: StrictJSON) -> StrictJSON? {
        guard reference.hasPrefix("#/") else { return nil }
        var current: StrictJSON? = document
        for token in reference.dropFirst(2).split(separator: "/") {
            current = current?[String(token).replacing("~1", with: "/").replacing("~0", with: "~")]
        }
        return current
    }

    static func pathParameterNames(_ parameters: StrictJSON?, _ document: StrictJSON) -> Set<String> {
        guard case .array(let list) = parameters else { return [] }
        var names = Set<String>()
        for entry in list {
            var parameter: StrictJSON? = entry
            if case .string(let reference) = entry["$ref"] { parameter = resolve(reference, in: document) }
            if case .string("path") = parameter?["in"], case .string(let name) = parameter?["name"] { names.insert(name) }
        }
        return names
    }
}
