import Glibc
import HTTPServer
import IO
import TestSupport
import Testing

extension SocketTests {
    /// Timeouts over a real socket, configured short. The server checks them every 250 ms.
    @Suite("timeouts")
    struct Timeouts {
        @Test func slowlorisGets408AndIsClosed() async throws {
            try await withServer(configure: { $0.timeouts.header = .seconds(1) }) { server in
                let client = try await server.connect()
                let started = MonotonicInstant.now()
                let dribbler = Task {
                    try await Blocking.run {
                        let bytes = Array("GET / HTTP/1.1\r\nHost: t\r\nX-Slow: ".utf8) + [UInt8](repeating: UInt8(ascii: "a"), count: 100)
                        for byte in bytes {
                            // Stops as soon as the server has closed the connection.
                            guard (try? client.sendNow([byte])) != nil else { return }
                            usleep(100_000)
                        }
                    }
                }
                let response = try await client.readResponse(timeout: .seconds(4))
                #expect(response.status == 408)
                #expect(response.closesConnection)
                _ = try await client.readUntilClosed(timeout: .seconds(2))
                let elapsed = MonotonicInstant.now().duration(since: started)
                #expect(elapsed >= .milliseconds(900), "closed before the header timeout: \(elapsed)")
                #expect(elapsed < .milliseconds(2000), "header timeout 1 s took \(elapsed)")
                dribbler.cancel()
                _ = try? await dribbler.value
                #expect(await server.waitForOpenConnections(0))
                #expect(try await server.connect().request(Fixtures.get("/hello")).text == "hello")
            }
        }

        @Test func silentNewConnectionIsClosedAfterTheHeaderTimeout() async throws {
            try await withServer(configure: { $0.timeouts.header = .milliseconds(300) }) { server in
                let client = try await server.connect()
                let started = MonotonicInstant.now()
                #expect(try await client.readUntilClosed(timeout: .seconds(3)).isEmpty, "closed without a response")
                #expect(MonotonicInstant.now().duration(since: started) >= .milliseconds(250))
            }
        }

        @Test func idleKeepAliveConnectionIsClosedAfterTheIdleTimeout() async throws {
            try await withServer(configure: { $0.timeouts.idle = .milliseconds(300) }) { server in
                let client = try await server.connect()
                #expect(try await client.request(Fixtures.get("/hello")).text == "hello")
                let started = MonotonicInstant.now()
                #expect(try await client.readUntilClosed(timeout: .seconds(3)).isEmpty)
                #expect(MonotonicInstant.now().duration(since: started) >= .milliseconds(250))
            }
        }

        @Test func slowBodyGets408() async throws {
            try await withServer(configure: { $0.timeouts.body = .milliseconds(300) }) { server in
                let client = try await server.connect()
                let response = try await client.request("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nabc", timeout: .seconds(3))
                #expect(response.status == 408)
                #expect(response.closesConnection)
            }
        }

        @Test func handlerDeadlineAnswers503ClosesAndCancelsTheHandler() async throws {
            let events = Recorder<String>()
            try await withServer(events: events, configure: { $0.timeouts.handler = .milliseconds(300) }) { server in
                let client = try await server.connect()
                let response = try await client.request(Fixtures.get("/sleep"), timeout: .seconds(3))
                #expect(response.status == 503)
                #expect(response.headers["Retry-After"] == "1")
                #expect(response.closesConnection)
                #expect(try await client.readUntilClosed().isEmpty)
                try await Poll.until("the handler to see its cancellation", timeout: .seconds(5), interval: .milliseconds(5)) { events.values == ["cancelled"] }
                #expect(try await server.connect().request(Fixtures.get("/hello")).text == "hello")
            }
        }

        @Test func clientThatNeverReadsIsClosedByTheWriteTimeout() async throws {
            let size = 64 << 20
            try await withServer(configure: { $0.timeouts.write = .milliseconds(300) }) { server in
                let lazy = try await server.connect(receiveBufferSize: 4096)
                try await lazy.send(Fixtures.get("/big?bytes=\(size)"))
                // Seen open first: otherwise "no connections" could mean "not accepted yet", and the reads below
                // would turn this client into a slow reader that the server rightly keeps serving.
                #expect(await server.waitForOpenConnections(1))
                #expect(await server.waitForOpenConnections(0, timeout: .seconds(5)), "the write timeout must close the connection")
                // Healthy afterwards, and the lazy client never got the whole response.
                #expect(try await server.connect().request(Fixtures.get("/hello")).text == "hello")
                let received = try await lazy.readUntilClosed(timeout: .seconds(10))
                #expect(received.count < size)
            }
        }

        @Test func slowReaderThatKeepsReadingGetsEverything() async throws {
            // Progress resets the write timeout: only a client that stops reading is dropped.
            let size = 8 << 20
            try await withServer(configure: { $0.timeouts.write = .milliseconds(500) }) { server in
                let client = try await server.connect(receiveBufferSize: 4096)
                let response = try await client.request(Fixtures.get("/big?bytes=\(size)"), timeout: .seconds(20))
                #expect(response.body.count == size)
                #expect(try await client.request(Fixtures.get("/hello")).text == "hello")
            }
        }
    }
}
