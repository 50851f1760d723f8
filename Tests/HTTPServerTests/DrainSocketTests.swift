import HTTPServer
import TestSupport
import Testing

extension SocketTests {
    /// The shutdown steps the lifecycle drives, observed from clients.
    @Suite("drain")
    struct Drain {
        /// Sends a request head with `Expect: 100-continue` and waits for `100 Continue`: from then on the
        /// server is known to be reading this request's body, with no sleep needed to get there.
        func startRequestWithBody(_ client: TCPClient, _ requestLine: String) async throws {
            try await client.send("\(requestLine)\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n")
            #expect(try await client.readResponse().status == 100)
        }

        @Test func closeKeepAliveConnectionsMakesEveryResponseClose() async throws {
            try await withServer { server in
                let client = try await server.connect()
                #expect(try await !client.request(Fixtures.get("/hello")).closesConnection)
                server.server.closeKeepAliveConnections()
                #expect(server.server.drainPhase == .closingConnections)
                let response = try await client.request(Fixtures.get("/hello"))
                #expect(response.text == "hello", "still serving")
                #expect(response.closesConnection)
                #expect(try await client.readUntilClosed().isEmpty)
                let fresh = try await server.connect().request(Fixtures.get("/n/1"))
                #expect(fresh.text == "1")
                #expect(fresh.closesConnection)
            }
        }

        @Test func quiesceClosesIdleConnectionsServesFirstRequestsAndRefusesReusedOnes() async throws {
            let gate = Gate()
            try await withServer(gate: gate) { server in
                let idle = try await server.connect()
                #expect(try await idle.request(Fixtures.get("/hello")).text == "hello")
                let silent = try await server.connect()
                let busy = try await server.connect()
                try await busy.send(Fixtures.get("/gate"))
                try await gate.waitForArrivals(1)
                let reading = try await server.connect()
                try await startRequestWithBody(reading, "POST /echo HTTP/1.1")
                let reused = try await server.connect()
                #expect(try await reused.request(Fixtures.get("/hello")).text == "hello")
                try await startRequestWithBody(reused, "POST /echo HTTP/1.1")
                let probe = try await server.connect()
                try await startRequestWithBody(probe, "GET /livez HTTP/1.1")

                await server.server.quiesce()
                #expect(server.server.drainPhase == .draining)

                #expect(try await idle.readUntilClosed().isEmpty, "an idle keep-alive connection closes at once")
                #expect(try await silent.readUntilClosed().isEmpty, "one that never sent a byte closes after the grace")

                // A new connection's first request was routed here while this pod was an endpoint: it is served.
                try await reading.send("hi")
                let served = try await reading.readResponse()
                #expect(served.status == 200)
                #expect(served.text == "hi")
                #expect(served.closesConnection)
                #expect(try await reading.readUntilClosed().isEmpty)

                // A further request on a kept-alive connection is told to go elsewhere.
                try await reused.send("hi")
                let refused = try await reused.readResponse()
                #expect(refused.status == 503)
                #expect(refused.headers["Retry-After"] == "1")
                #expect(refused.headers["Content-Type"] == "application/problem+json")
                #expect(refused.closesConnection)
                #expect(try await reused.readUntilClosed().isEmpty)

                try await probe.send("hi")
                let probed = try await probe.readResponse()
                #expect(probed.status == 200)
                #expect(probed.text == "{\"status\":\"ok\"}")
                #expect(probed.closesConnection)
                #expect(try await probe.readUntilClosed().isEmpty)

                gate.open()
                let finished = try await busy.readResponse()
                #expect(finished.text == "opened", "a request already in its handler completes")
                #expect(finished.closesConnection)
                #expect(try await busy.readUntilClosed().isEmpty)
                #expect(await server.waitForOpenConnections(0))
                #expect(await server.server.waitForConnectionsToClose(timeout: .seconds(1)))
            }
        }

        @Test func stopAcceptingRefusesNewConnectionsAndKeepsOpenOnes() async throws {
            try await withServer { server in
                let open = try await server.connect()
                #expect(try await open.request(Fixtures.get("/hello")).text == "hello")
                await server.server.stopAccepting()
                let refused = await #expect(throws: TCPClientError.self) { _ = try await server.connect() }
                #expect(refused?.isConnectionRefused == true, "\(String(describing: refused))")
                #expect(try await open.request(Fixtures.get("/hello")).text == "hello")
            }
        }

        @Test func forceCloseEndsIdleAndBusyConnectionsAndCancelsHandlers() async throws {
            let gate = Gate()
            let events = Recorder<String>()
            try await withServer(gate: gate, events: events) { server in
                let idle = try await server.connect()
                #expect(try await idle.request(Fixtures.get("/hello")).text == "hello")
                // Many, because the leak this guards against (a cancelled handler's answer written
                // before the socket is shut down) is a race: without the fix most runs show it.
                let busy = try await TCPClient.connectMany(40, port: server.port)
                for client in busy { try await client.send(Fixtures.get("/gate")) }
                let sleeping = try await server.connect()
                try await sleeping.send(Fixtures.get("/sleep"))
                try await gate.waitForArrivals(40)
                let reading = try await server.connect()
                try await reading.send("GET /hello HTTP/1.1\r\n")
                #expect(await server.waitForOpenConnections(43))

                await server.server.forceCloseConnections()

                // No response at all: in particular not the 500 a cancelled handler's error turns into.
                for (name, client) in [("idle", idle), ("sleeping", sleeping), ("reading", reading)] + busy.map({ ("busy", $0) }) {
                    let rest = try await client.readUntilClosed()
                    #expect(rest.isEmpty, "\(name) got \(String(decoding: rest.prefix(40), as: UTF8.self))")
                }
                #expect(await server.waitForOpenConnections(0))
                try await Poll.until("the handler to see its cancellation", timeout: .seconds(5), interval: .milliseconds(5)) { events.values == ["cancelled"] }
                #expect(try await server.connect().request(Fixtures.get("/hello")).text == "hello", "the server itself keeps running")
            }
        }

    }
}
