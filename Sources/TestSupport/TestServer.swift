public import HTTPServer
public import IO

/// A real ``HTTPServer`` on 127.0.0.1 and an ephemeral port, with its own event loops.
///
/// ```swift
/// try await TestServer.with(router: router) { server in
///     let client = try await server.connect()
///     let response = try await client.request("GET /livez HTTP/1.1\r\nHost: t\r\n\r\n")
/// }
/// ```
public final class TestServer: Sendable {
    /// The server under test.
    public let server: HTTPServer
    /// The loops it runs on (owned by this test server).
    public let group: EventLoopGroup

    /// The bound port.
    public var port: Int { server.port }

    /// Starts a server for `responder` on a port chosen by the kernel.
    ///
    /// - Parameters:
    ///   - threads: Event loop threads (two by default, so cross-loop paths are exercised).
    ///   - configure: Adjusts the configuration (timeouts, limits) before the server starts.
    public init(
        responder: some HTTPResponder, threads: Int = 2, configure: (inout HTTPServerConfiguration) -> Void = { _ in }
    ) throws {
        var configuration = HTTPServerConfiguration(host: "127.0.0.1", port: 0)
        configure(&configuration)
        group = try EventLoopGroup(threadCount: threads)
        server = HTTPServer(configuration: configuration, responder: responder, group: group)
        do {
            try server.start()
        } catch {
            group.shutdown()
            throw error
        }
    }

    /// Runs `body` against a fresh server and shuts it down afterwards, also when `body` throws.
    public static func with<T>(
        responder: some HTTPResponder, threads: Int = 2, configure: (inout HTTPServerConfiguration) -> Void = { _ in },
        _ body: (TestServer) async throws -> T
    ) async throws -> T {
        let server = try TestServer(responder: responder, threads: threads, configure: configure)
        do {
            let result = try await body(server)
            await server.shutdown()
            return result
        } catch {
            await server.shutdown()
            throw error
        }
    }

    /// Opens a raw connection to the server.
    public func connect(receiveBufferSize: Int? = nil) async throws -> TCPClient {
        try await TCPClient.connect(port: port, receiveBufferSize: receiveBufferSize)
    }

    /// Waits until the server's open connection count is `count`; false if it is not within `timeout`.
    public func waitForOpenConnections(_ count: Int, timeout: Duration = .seconds(5)) async -> Bool {
        do {
            try await Poll.until("\(count) open connections", timeout: timeout, interval: .milliseconds(5)) { server.openConnectionCount == count }
            return true
        } catch {
            return false
        }
    }

    /// Stops accepting, ends every connection, and stops the loops.
    public func shutdown() async {
        await server.stopAccepting()
        await server.forceCloseConnections()
        _ = await server.waitForConnectionsToClose(timeout: .seconds(2))
        group.shutdown()
    }
}
