import Glibc
import TestSupport
import Testing

/// The default bind (`HTTP_HOST` and `ADMIN_HOST` unset) answers IPv4 and IPv6 peers on both ports, as the kubelet's
/// probes reach the pod over whichever family the cluster uses.
@Suite(.requiresPostgreSQL) struct AddressFamilyTests {
    @Test func theDefaultBindAnswersOnIPv4AndIPv6LoopbackOnBothPorts() async throws {
        let schema = try await ServiceFixture.migratedSchema("families")
        var environment = ServiceFixture.environment(schema: schema, ["ACCESS_LOG": "true"])
        environment["HTTP_HOST"] = nil
        environment["ADMIN_HOST"] = nil
        let service = try await ServiceFixture.serve(environment)
        for host in ["127.0.0.1", "::1"] {
            let traffic = try await TCPClient.exchange("GET", "/livez", host: host, port: service.httpPort)
            #expect(traffic.status == 200, "traffic port over \(host)")
            let admin = try await TCPClient.exchange("GET", "/readyz", host: host, port: service.adminPort)
            #expect(admin.status == 200, "admin port over \(host)")
        }
        service.process.send(SIGTERM)
        #expect(try await service.process.waitForExit(timeout: .seconds(8)).code == 0, "\(service.process.output)")
        let remotes = service.process.logLines(event: "http.request").compactMap { line in
            line.split(separator: ",").first { $0.hasPrefix(#""remote":"#) }
        }
        #expect(remotes.contains { $0.contains(#""127.0.0.1:"#) }, "an IPv4 peer is logged as IPv4: \(remotes)")
        #expect(remotes.contains { $0.contains(#""[::1]:"#) }, "\(remotes)")
        try await ServiceFixture.drop(schema)
    }
}
