import HTTPServer
import TestSupport
import Testing

/// The socket tests: a real server on 127.0.0.1, raw bytes over TCP, a deadline on every read.
///
/// Serialized: several tests measure timeouts, and two cores shared with a 2,000-connection test
/// would turn a correct server into a flaky test. The nested suites live in their own files.
@Suite("HTTPServer over TCP", .serialized)
struct SocketTests {}

/// The router every socket test serves.
enum Fixtures {
    /// Routes: `/hello`, `/livez`, `/n/{i}`, `POST /echo`, `/slow?ms=`, `/big?bytes=`, `/gate`, `/sleep`.
    ///
    /// - Parameters:
    ///   - gate: What `/gate` waits for.
    ///   - events: Where `/sleep` records that it was cancelled.
    static func router(gate: Gate = Gate(), events: Recorder<String> = Recorder()) -> Router {
        var router = Router()
        router.get("/hello") { _ in .text("hello") }
        router.get("/livez") { _ in .json(bytes: Array("{\"status\":\"ok\"}".utf8)) }
        router.get("/n/{i}") { request in .text(request.parameters["i"] ?? "?") }
        router.post("/echo") { request in Response(body: request.body) }
        router.get("/slow") { request in
            try await Task.sleep(for: .milliseconds(Int(try request.queryParameter("ms") ?? "") ?? 100))
            return .text("slow")
        }
        router.get("/big") { request in
            Response(body: [UInt8](repeating: UInt8(ascii: "x"), count: Int(try request.queryParameter("bytes") ?? "") ?? 0))
        }
        router.get("/gate") { _ in
            try await gate.wait()
            return .text("opened")
        }
        router.get("/sleep") { _ in
            do {
                try await Task.sleep(for: .seconds(60))
            } catch {
                events.append("cancelled")
                throw error
            }
            return .text("slept")
        }
        return router
    }

    /// A GET request for `target` with `Host` and any extra field lines (each ending in CRLF).
    static func get(_ target: String, _ fields: String = "", version: String = "HTTP/1.1") -> String {
        "GET \(target) \(version)\r\n\(version == "HTTP/1.1" ? "Host: test\r\n" : "")\(fields)\r\n"
    }

    /// A POST of `body` with Content-Length.
    static func post(_ target: String, body: String, _ fields: String = "") -> String {
        "POST \(target) HTTP/1.1\r\nHost: test\r\nContent-Length: \(body.utf8.count)\r\n\(fields)\r\n\(body)"
    }
}

/// Runs `body` against a fresh server for the fixture router, shut down afterwards.
func withServer<T>(
    gate: Gate = Gate(), events: Recorder<String> = Recorder(), configure: (inout HTTPServerConfiguration) -> Void = { _ in },
    _ body: (TestServer) async throws -> T
) async throws -> T {
    try await TestServer.with(responder: Fixtures.router(gate: gate, events: events), configure: configure, body)
}
