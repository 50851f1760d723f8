import Glibc
import TestSupport
import Testing

/// The minimal service's own route, migration and setting, end to end: what an application adds to the kit works.
@Suite(.requiresPostgreSQL) struct MinimalServiceTests {
    @Test func servesItsRouteWithItsSettingOnItsMigratedTable() async throws {
        let schema = try await ServiceFixture.migratedSchema(.minimal, "greeting")
        let service = try await ServiceFixture.serve(.minimal, ServiceFixture.environment(schema: schema, ["GREETING": "hej"]))
        let response = try await service.get("/greeting")
        #expect(response.status == 200, "\(response.text)")
        #expect(response.text == #"{"greeting":"hej","stored":0}"#, "\(response.text)")
        service.process.send(SIGTERM)
        #expect(try await service.process.waitForExit(timeout: .seconds(8)).code == 0, "\(service.process.output)")
        try await ServiceFixture.drop(schema)
    }
}
