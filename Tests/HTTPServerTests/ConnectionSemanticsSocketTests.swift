import HTTPServer
import TestSupport
import Testing

extension SocketTests {
    /// HTTP/1.1 connection semantics over a real socket.
    @Suite("connection semantics")
    struct ConnectionSemantics {
        @Test func keepAliveServesManyRequestsOnOneConnection() async throws {
            try await withServer { server in
                let client = try await server.connect()
                for index in 0..<200 {
                    let response = try await client.request(Fixtures.get("/n/\(index)"))
                    #expect(response.status == 200)
                    #expect(response.text == "\(index)")
                    #expect(!response.closesConnection)
                }
                let echoed = try await client.request(Fixtures.post("/echo", body: "still here"))
                #expect(echoed.text == "still here")
                #expect(server.server.openConnectionCount == 1)
            }
        }

        @Test func responsesCarryDateAndRequestID() async throws {
            try await withServer { server in
                let client = try await server.connect()
                let given = try await client.request(Fixtures.get("/hello", "X-Request-ID: abc-123\r\n"))
                #expect(given.headers["X-Request-ID"] == "abc-123")
                #expect(given.headers["Date"]?.hasSuffix(" GMT") == true)
                let generated = try await client.request(Fixtures.get("/hello", "X-Request-ID: bad id with spaces\r\n"))
                let id = try #require(generated.headers["X-Request-ID"])
                #expect(id != "bad id with spaces" && !id.isEmpty)
            }
        }

        @Test func pipelinedRequestsAreAnsweredInOrderEvenWhenTheFirstIsSlow() async throws {
            try await withServer { server in
                let client = try await server.connect()
                try await client.send(
                    Fixtures.get("/slow?ms=200") + Fixtures.post("/echo", body: "two") + Fixtures.get("/n/3") + Fixtures.get("/slow?ms=20")
                        + Fixtures.get("/n/5")
                )
                var bodies: [String] = []
                for _ in 0..<5 { bodies.append(try await client.readResponse().text) }
                #expect(bodies == ["slow", "two", "3", "slow", "5"])
                #expect(try await client.request(Fixtures.get("/n/6")).text == "6")
            }
        }

        @Test func manyPipelinedRequestsInOneWrite() async throws {
            try await withServer { server in
                let client = try await server.connect()
                let requests = (0..<300).map { $0 % 3 == 0 ? Fixtures.post("/echo", body: "e\($0)") : Fixtures.get("/n/\($0)") }
                try await client.send(requests.joined())
                for index in 0..<300 {
                    let response = try await client.readResponse()
                    #expect(response.text == (index % 3 == 0 ? "e\(index)" : "\(index)"))
                }
            }
        }

        @Test func requestSplitAcrossManyWritesIsServed() async throws {
            try await withServer { server in
                let client = try await server.connect()
                let request = Array(Fixtures.post("/echo", body: "pieces") .utf8)
                for start in stride(from: 0, to: request.count, by: 7) {
                    try await client.send(Array(request[start..<min(start + 7, request.count)]))
                }
                #expect(try await client.readResponse().text == "pieces")
            }
        }

        @Test func http10WithoutKeepAliveCloses() async throws {
            try await withServer { server in
                let client = try await server.connect()
                let response = try await client.request(Fixtures.get("/hello", version: "HTTP/1.0"))
                #expect(response.status == 200)
                #expect(response.text == "hello")
                #expect(response.closesConnection)
                #expect(try await client.readUntilClosed().isEmpty)
            }
        }

        @Test func http10KeepAliveStaysOpenAndSaysSo() async throws {
            try await withServer { server in
                let client = try await server.connect()
                for _ in 0..<3 {
                    let response = try await client.request(Fixtures.get("/hello", "Connection: keep-alive\r\n", version: "HTTP/1.0"))
                    #expect(response.text == "hello")
                    #expect(response.headers["Connection"]?.lowercased() == "keep-alive")
                }
            }
        }

        @Test func connectionCloseIsHonouredAndLaterPipelinedRequestsAreIgnored() async throws {
            try await withServer { server in
                let client = try await server.connect()
                try await client.send(Fixtures.get("/n/1", "Connection: close\r\n") + Fixtures.get("/n/2"))
                let response = try await client.readResponse()
                #expect(response.text == "1")
                #expect(response.closesConnection)
                #expect(try await client.readUntilClosed().isEmpty, "nothing may follow a response that closes")
            }
        }

        @Test func headHasContentLengthButNoBody() async throws {
            try await withServer { server in
                let client = try await server.connect()
                // The GET right behind the HEAD would be misparsed if any body bytes had been sent.
                try await client.send("HEAD /big?bytes=1234 HTTP/1.1\r\nHost: t\r\n\r\n" + Fixtures.get("/n/2"))
                let head = try await client.readResponse(bodiless: true)
                #expect(head.status == 200)
                #expect(head.headers["Content-Length"] == "1234")
                let next = try await client.readResponse()
                #expect(next.text == "2")
            }
        }

        @Test func expectContinueGetsAnInterimResponseThenTheFinalOne() async throws {
            try await withServer { server in
                let client = try await server.connect()
                try await client.send("POST /echo HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n")
                let interim = try await client.readResponse()
                #expect(interim.status == 100)
                try await client.send("hello")
                let final = try await client.readResponse()
                #expect(final.status == 200)
                #expect(final.text == "hello")
                // The next request on the connection gets its own 100 Continue.
                try await client.send("POST /echo HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n")
                #expect(try await client.readResponse().status == 100)
                try await client.send("ok")
                #expect(try await client.readResponse().text == "ok")
            }
        }

        @Test func expectContinueWithABodyAlreadySentIsServedOnce() async throws {
            try await withServer { server in
                let client = try await server.connect()
                let response = try await client.request(
                    "POST /echo HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\nabc" + Fixtures.get("/n/9")
                )
                // A 100 Continue may or may not come first; the final responses must follow in order.
                let first = response.status == 100 ? try await client.readResponse() : response
                #expect(first.text == "abc")
                #expect(try await client.readResponse().text == "9")
            }
        }

        @Test func oversizedContentLengthIs413WithoutReadingTheBody() async throws {
            try await withServer { server in
                let client = try await server.connect()
                let response = try await client.request("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 50000000\r\n\r\n")
                #expect(response.status == 413)
                #expect(response.closesConnection)
                #expect(try await client.readUntilClosed().isEmpty)
            }
        }

        @Test func expectContinueWithOversizedBodyGets413AndNoContinue() async throws {
            try await withServer(configure: { $0.limits.maxBodyBytes = 100 }) { server in
                let client = try await server.connect()
                let response = try await client.request(
                    "POST /echo HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 101\r\n\r\n"
                )
                #expect(response.status == 413)
            }
        }

        @Test func chunkedRequestBodyIsDecoded() async throws {
            try await withServer { server in
                let client = try await server.connect()
                try await client.send("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n5;x=y\r\nhello\r\n")
                try await client.send("6\r\n world\r\n0\r\nTrailer: 1\r\n\r\n")
                #expect(try await client.readResponse().text == "hello world")
            }
        }

        @Test(
            "malformed or oversized request: exact status, close, server still serves",
            arguments: [
                ("GET / HTTP/1.1\r\nHost : t\r\n\r\n", 400),
                ("GET / HTTP/1.1\r\nHost: t\r\nX: a\r\n b\r\n\r\n", 400),
                ("GET / HTTP/1.1\nHost: t\n\n", 400),
                ("GET / HTTP/1.1\r\n\r\n", 400),
                ("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
                ("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400),
                ("GET / HTTP/2.0\r\nHost: t\r\n\r\n", 505),
                ("BREW / HTTP/1.1\r\nHost: t\r\n\r\n", 501),
                ("GET /\(String(repeating: "a", count: 9000)) HTTP/1.1\r\nHost: t\r\n\r\n", 414),
                ("GET / HTTP/1.1\r\nHost: t\r\nX: \(String(repeating: "a", count: 20000))\r\n\r\n", 431),
                ("GET / HTTP/1.1\r\nHost: t\r\n" + String(repeating: "X: y\r\n", count: 1000) + "\r\n", 431),
                ("POST /echo HTTP/1.1\r\nHost: t\r\nExpect: nothing\r\nContent-Length: 1\r\n\r\nx", 417),
                ("\u{16}\u{03}\u{01}\u{02}\u{00}\u{01}\u{00}\u{01}\u{fc}\u{03}\u{03}\r\n\r\n", 400),
            ]
        )
        func malformedRequestGetsItsStatusAndClose(_ request: String, _ status: Int) async throws {
            try await withServer { server in
                let client = try await server.connect()
                let response = try await client.request(Fixtures.get("/n/1") + request)
                #expect(response.text == "1", "the valid request before the bad one is answered")
                let rejection = try await client.readResponse()
                #expect(rejection.status == status)
                #expect(rejection.closesConnection)
                #expect(rejection.headers["Content-Type"] == "application/problem+json")
                #expect(try await client.readUntilClosed().isEmpty)
                #expect(try await server.connect().request(Fixtures.get("/hello")).text == "hello")
            }
        }

        @Test(
            "bytes that cannot begin a request are a 400 and a close at once, not after the header timeout",
            arguments: [
                [0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xFC, 0x03, 0x03],  // a TLS ClientHello's start
                [0x00, 0x00, 0x00, 0x00],
                Array("\r\n".utf8) + [0xFF, 0xFE],
            ] as [[UInt8]]
        )
        func bytesThatCannotBeginARequestAreRefusedAtOnce(_ bytes: [UInt8]) async throws {
            try await withServer(configure: { $0.timeouts.header = .seconds(30) }) { server in
                let client = try await server.connect()
                let sent = ContinuousClock.now
                try await client.send(bytes)
                let rejection = try await client.readResponse(timeout: .seconds(5))
                #expect(rejection.status == 400)
                #expect(rejection.closesConnection)
                #expect(try await client.readUntilClosed(timeout: .seconds(5)).isEmpty)
                #expect(ContinuousClock.now - sent < .seconds(5))
            }
        }

        @Test func aHundredFieldsBesideHostAreServed() async throws {
            try await withServer { server in
                let fields = (1...100).map { "X-Field-\($0): value-\($0)\r\n" }.joined()
                let response = try await server.connect().request(Fixtures.get("/hello", fields))
                #expect(response.status == 200)
                #expect(response.text == "hello")
            }
        }

        @Test func halfClosedClientStillGetsItsResponse() async throws {
            try await withServer { server in
                let client = try await server.connect()
                try await client.send(Fixtures.get("/slow?ms=50") + Fixtures.get("/n/2"))
                client.shutdownWrite()
                #expect(try await client.readResponse().text == "slow")
                #expect(try await client.readResponse().text == "2")
                #expect(try await client.readUntilClosed().isEmpty)
                #expect(await server.waitForOpenConnections(0))
            }
        }

        @Test func clientThatDisconnectsMidRequestIsCleanedUp() async throws {
            try await withServer { server in
                let client = try await server.connect()
                try await client.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nabc")
                client.close()
                #expect(await server.waitForOpenConnections(0))
                #expect(try await server.connect().request(Fixtures.get("/hello")).text == "hello")
            }
        }

        @Test func clientThatDisconnectsDuringItsHandlerIsCleanedUp() async throws {
            let gate = Gate()
            try await withServer(gate: gate) { server in
                let client = try await server.connect()
                try await client.send(Fixtures.get("/gate"))
                try await gate.waitForArrivals(1)
                client.close()
                gate.open()
                #expect(await server.waitForOpenConnections(0))
            }
        }
    }
}
