import Glibc
import HTTPServer
import IO
import TestSupport
import Testing

extension SocketTests {
    /// Which addresses each bind answers on, and how peers are named.
    @Suite("address families")
    struct AddressFamilies {
        static func peerRouter() -> Router {
            var router = Router()
            router.get("/peer") { request in .text(request.remoteAddress) }
            return router
        }

        @Test func theDefaultBindAnswersOnIPv4AndIPv6Loopback() async throws {
            #expect(HTTPServerConfiguration().host == "::")
            try await TestServer.with(responder: Self.peerRouter(), configure: { $0.host = HTTPServerConfiguration().host }) { server in
                let overIPv4 = try await TCPClient.exchange("GET", "/peer", host: "127.0.0.1", port: server.port)
                #expect(overIPv4.status == 200)
                #expect(overIPv4.text.hasPrefix("127.0.0.1:"), "an IPv4-mapped peer is named as IPv4: \(overIPv4.text)")
                let overIPv6 = try await TCPClient.exchange("GET", "/peer", host: "::1", port: server.port)
                #expect(overIPv6.status == 200)
                #expect(overIPv6.text.hasPrefix("[::1]:"), "\(overIPv6.text)")
            }
        }

        @Test("an explicit host binds that address only", arguments: [("127.0.0.1", "::1"), ("::1", "127.0.0.1")])
        func explicitHostBindsOnlyItself(_ bound: String, _ other: String) async throws {
            try await TestServer.with(responder: Self.peerRouter(), configure: { $0.host = bound }) { server in
                let response = try await TCPClient.exchange("GET", "/peer", host: bound, port: server.port)
                #expect(response.status == 200)
                await #expect(throws: (any Error).self, "\(other) must not reach a server bound to \(bound)") {
                    try await TCPClient.exchange("GET", "/peer", host: other, port: server.port, timeout: .seconds(2))
                }
            }
        }
    }
}
