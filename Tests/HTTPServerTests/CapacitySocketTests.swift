import HTTPServer
import TestSupport
import Testing

extension SocketTests {
    /// Isolation between connections, many connections, and the connection limit.
    @Suite("capacity")
    struct Capacity {
        @Test func slowHandlerDoesNotDelayOtherConnections() async throws {
            let gate = Gate()
            try await withServer(gate: gate) { server in
                let blocked = try await server.connect()
                try await blocked.send(Fixtures.get("/gate"))
                try await gate.waitForArrivals(1)
                // The gate stays shut until the other connections are answered: a server that
                // served connections one at a time would time out here.
                let others = try await TCPClient.connectMany(20, port: server.port)
                let responses = try await TCPClient.exchangeAll(others, requests: (0..<20).map { Fixtures.get("/n/\($0)") })
                #expect(responses.map(\.text) == (0..<20).map(String.init))
                let malformed = try await server.connect()
                #expect(try await malformed.request("nonsense\r\n\r\n").status == 400)
                gate.open()
                #expect(try await blocked.readResponse().text == "opened")
            }
        }

        @Test func requestsInFlightCountsRunningHandlersOnly() async throws {
            let gate = Gate()
            try await withServer(gate: gate) { server in
                let blocked = try await TCPClient.connectMany(2, port: server.port)
                for client in blocked { try await client.send(Fixtures.get("/gate")) }
                try await gate.waitForArrivals(2)
                let idle = try await server.connect()
                #expect(try await idle.request(Fixtures.get("/hello")).text == "hello")
                #expect(server.server.requestsInFlightCount == 2)
                gate.open()
                for client in blocked { #expect(try await client.readResponse().text == "opened") }
                try await Poll.until("the count to return to zero", timeout: .seconds(5), interval: .milliseconds(5)) {
                    server.server.requestsInFlightCount == 0
                }
            }
        }

        @Test func fiveHundredConcurrentConnectionsAreAllServed() async throws {
            FileDescriptorLimit.raise(to: 4096)
            try await withServer { server in
                let clients = try await TCPClient.connectMany(500, port: server.port)
                let requests = (0..<500).map { $0.isMultiple(of: 2) ? Fixtures.get("/n/\($0)") : Fixtures.post("/echo", body: "\($0)") }
                let responses = try await TCPClient.exchangeAll(clients, requests: requests, timeout: .seconds(20))
                #expect(responses.allSatisfy { $0.status == 200 })
                #expect(responses.map(\.text) == (0..<500).map(String.init))
            }
        }

        @Test func twoThousandIdleKeepAliveConnectionsDoNotBreakANormalRequest() async throws {
            let limit = FileDescriptorLimit.raise(to: 8192)
            try #require(limit >= 4200, "needs RLIMIT_NOFILE >= 4200 for 2,000 connections and their server ends")
            try await withServer { server in
                let idle = try await TCPClient.connectMany(2000, port: server.port)
                let warmUp = try await TCPClient.exchangeAll(idle, requests: (0..<2000).map { Fixtures.get("/n/\($0)") }, timeout: .seconds(30))
                #expect(warmUp.map(\.text) == (0..<2000).map(String.init))
                #expect(await server.waitForOpenConnections(2000))

                let fresh = try await server.connect()
                for index in 0..<20 {
                    #expect(try await fresh.request(Fixtures.get("/n/\(index)")).text == "\(index)")
                }
                // The idle ones are still usable.
                for client in [idle[0], idle[999], idle[1999]] {
                    #expect(try await client.request(Fixtures.get("/hello")).text == "hello")
                }
                #expect(server.server.openConnectionCount == 2001)
            }
        }

        @Test func pastTheConnectionLimitNewConnectionsAreShedWhileExistingOnesWork() async throws {
            try await withServer(configure: { $0.maxConnections = 3 }) { server in
                let existing = try await TCPClient.connectMany(3, port: server.port)
                let warmUp = try await TCPClient.exchangeAll(existing, requests: (0..<3).map { Fixtures.get("/n/\($0)") })
                #expect(warmUp.map(\.text) == ["0", "1", "2"])

                for _ in 0..<5 {
                    let shed = try await server.connect()
                    let response = try await shed.request(Fixtures.get("/hello"), timeout: .seconds(2))
                    #expect(response.status == 503)
                    #expect(response.headers["Retry-After"] == "1")
                    #expect(response.closesConnection)
                    #expect(try await shed.readUntilClosed(timeout: .seconds(2)).isEmpty)
                }
                #expect(await server.waitForOpenConnections(3))
                let again = try await TCPClient.exchangeAll(existing, requests: (0..<3).map { Fixtures.get("/n/\($0 + 10)") })
                #expect(again.map(\.text) == ["10", "11", "12"])

                existing[0].close()
                #expect(await server.waitForOpenConnections(2))
                #expect(try await server.connect().request(Fixtures.get("/hello")).text == "hello", "a freed slot is usable again")
            }
        }
    }
}
