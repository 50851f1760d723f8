import FoundationEssentials
import Glibc
import TestSupport
import Testing

/// The parser's bar: refuse at least what nginx refuses. Each raw request goes to nginx (Debian's, `return 200` for
/// every path) and to our server; when nginx does not route it, we must not either. Where we are stricter is
/// allowed (an unknown method: 501 here, routed there).
///
/// "Routed" means the first answer is below 400, or 404/405 (the parser let it through to the router). A 4xx or
/// 5xx framing error, or a close without an answer, is a refusal.
extension SocketTests {
    @Suite("parser at least as strict as nginx", .requires(NginxPeer.executable, from: "nginx")) struct NginxStrictnessTests {
        /// Requests both must route: if nginx refused these, every comparison below would pass for the wrong reason.
        static let wellFormed: [(String, String)] = [
            ("GET", "GET /hello HTTP/1.1\r\nHost: a\r\n\r\n"),
            ("HTTP/1.0 without Host", "GET /hello HTTP/1.0\r\n\r\n"),
            ("query", "GET /hello?x=1&y=%20 HTTP/1.1\r\nHost: a\r\n\r\n"),
            ("POST with Content-Length", "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc"),
            ("chunked", "POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"),
            ("absolute-form", "GET http://a/hello HTTP/1.1\r\nHost: a\r\n\r\n"),
            ("obs-text in a value", "GET /hello HTTP/1.1\r\nHost: a\r\nX: caf\u{E9}\r\n\r\n"),
            ("empty line before the request", "\r\nGET /hello HTTP/1.1\r\nHost: a\r\n\r\n"),
            ("Host with port", "GET /hello HTTP/1.1\r\nHost: a:8080\r\n\r\n"),
        ]

        /// Malformed, ambiguous or smuggling-shaped requests (RFC 9112 sections 2-7, and the classic desync vectors).
        static let suspicious: [(String, String)] = [
            ("obs-fold", "GET /hello HTTP/1.1\r\nHost: a\r\nX: a\r\n b\r\n\r\n"),
            ("space before colon", "GET /hello HTTP/1.1\r\nHost : a\r\n\r\n"),
            ("tab before colon", "GET /hello HTTP/1.1\r\nHost\t: a\r\n\r\n"),
            ("NUL in a field name", "GET /hello HTTP/1.1\r\nHost: a\r\nX\u{0}Y: z\r\n\r\n"),
            ("NUL in a value", "GET /hello HTTP/1.1\r\nHost: a\r\nX: a\u{0}b\r\n\r\n"),
            ("control character in a value", "GET /hello HTTP/1.1\r\nHost: a\r\nX: a\u{1}b\r\n\r\n"),
            ("CR alone in a value", "GET /hello HTTP/1.1\r\nHost: a\r\nX: a\rb\r\n\r\n"),
            ("field line without a colon", "GET /hello HTTP/1.1\r\nHost: a\r\nNoColon\r\n\r\n"),
            ("empty field name", "GET /hello HTTP/1.1\r\nHost: a\r\n: x\r\n\r\n"),
            ("separator in a field name", "GET /hello HTTP/1.1\r\nHost: a\r\nX(y): z\r\n\r\n"),
            ("missing Host in HTTP/1.1", "GET /hello HTTP/1.1\r\n\r\n"),
            ("two Host fields", "GET /hello HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"),
            ("space in Host", "GET /hello HTTP/1.1\r\nHost: a b\r\n\r\n"),
            ("slash in Host", "GET /hello HTTP/1.1\r\nHost: a/b\r\n\r\n"),
            ("two differing Content-Length", "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab"),
            ("Content-Length list", "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 1, 1\r\n\r\na"),
            ("negative Content-Length", "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n"),
            ("signed Content-Length", "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: +1\r\n\r\na"),
            ("Content-Length with letters", "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 1x\r\n\r\na"),
            ("Content-Length overflowing 64 bits", "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999\r\n\r\n"),
            (
                "Content-Length and Transfer-Encoding",
                "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
            ),
            ("unknown transfer coding", "POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n"),
            ("chunked not last", "POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n"),
            ("chunked twice", "POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
            ("Transfer-Encoding in HTTP/1.0", "POST /echo HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
            ("chunk size not hex", "POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n"),
            (
                "chunk size overflowing 64 bits",
                "POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\nabc\r\n0\r\n\r\n"
            ),
            ("chunk without its CRLF", "POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX0\r\n\r\n"),
            ("negative chunk size", "POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n-3\r\nabc\r\n0\r\n\r\n"),
            ("HTTP/2.0 request line", "GET /hello HTTP/2.0\r\nHost: a\r\n\r\n"),
            ("HTTP/1.2", "GET /hello HTTP/1.2\r\nHost: a\r\n\r\n"),
            ("version without minor", "GET /hello HTTP/1\r\nHost: a\r\n\r\n"),
            ("lowercase protocol name", "GET /hello http/1.1\r\nHost: a\r\n\r\n"),
            ("lowercase method", "get /hello HTTP/1.1\r\nHost: a\r\n\r\n"),
            ("method with a separator", "G@T /hello HTTP/1.1\r\nHost: a\r\n\r\n"),
            ("double space in the request line", "GET  /hello HTTP/1.1\r\nHost: a\r\n\r\n"),
            ("trailing space in the request line", "GET /hello HTTP/1.1 \r\nHost: a\r\n\r\n"),
            ("tabs in the request line", "GET\t/hello\tHTTP/1.1\r\nHost: a\r\n\r\n"),
            ("target without a slash", "GET hello HTTP/1.1\r\nHost: a\r\n\r\n"),
            ("space in the target", "GET /hel lo HTTP/1.1\r\nHost: a\r\n\r\n"),
            ("DEL in the target", "GET /hello\u{7F} HTTP/1.1\r\nHost: a\r\n\r\n"),
            ("NUL in the target", "GET /hel\u{0}lo HTTP/1.1\r\nHost: a\r\n\r\n"),
            ("target climbing above the root", "GET /../../etc/passwd HTTP/1.1\r\nHost: a\r\n\r\n"),
            ("encoded climb above the root", "GET /%2e%2e/%2e%2e/etc/passwd HTTP/1.1\r\nHost: a\r\n\r\n"),
            ("request line only, no HTTP version", "GET /hello\r\n\r\n"),
            ("missing target", "GET HTTP/1.1\r\nHost: a\r\n\r\n"),
            ("bare LF line ends", "GET /hello HTTP/1.1\nHost: a\n\n"),
            ("URI longer than 8 KiB", "GET /" + String(repeating: "a", count: 9_000) + " HTTP/1.1\r\nHost: a\r\n\r\n"),
            ("field line longer than 8 KiB", "GET /hello HTTP/1.1\r\nHost: a\r\nX: " + String(repeating: "b", count: 9_000) + "\r\n\r\n"),
            ("header section of 64 KiB", "GET /hello HTTP/1.1\r\nHost: a\r\n" + String(repeating: "X-Long: " + String(repeating: "c", count: 1_000) + "\r\n", count: 64) + "\r\n"),
            ("binary garbage", "\u{16}\u{3}\u{1}\u{0}\u{A5}\u{1}\u{0}\u{0}\u{A1}\u{3}\u{3}"),
        ]

        @Test func everyRequestNginxRefusesIsRefusedHereToo() async throws {
            let nginx = try await NginxPeer.start()
            defer { nginx.stop() }
            try await withServer { server in
                for (name, request) in Self.wellFormed {
                    let theirs = try await Self.outcome(of: request, port: nginx.port)
                    let ours = try await Self.outcome(of: request, port: server.port)
                    #expect(theirs.isRouted, "nginx must route the well-formed \(name) (\(theirs)); its log:\n\(nginx.errorLog)")
                    #expect(ours.isRouted, "we must route the well-formed \(name) (\(ours))")
                }
                var nginxRefused = 0
                for (name, request) in Self.suspicious {
                    let theirs = try await Self.outcome(of: request, port: nginx.port)
                    let ours = try await Self.outcome(of: request, port: server.port)
                    guard !theirs.isRouted else { continue }
                    nginxRefused += 1
                    #expect(!ours.isRouted, "nginx refuses \(name) (\(theirs)) but we routed it (\(ours))")
                }
                // Most of the list is refused by nginx too; if that count collapsed, the comparison would prove little.
                #expect(nginxRefused >= Self.suspicious.count / 2, "nginx refused only \(nginxRefused) of \(Self.suspicious.count)")
            }
        }

        /// What one server made of `request`.
        enum Outcome: CustomStringConvertible {
            /// The first status line it sent.
            case answered(Int)
            /// Bytes without a status line: nginx answers an HTTP/0.9 request with the bare body, which is routing it.
            case answeredWithoutStatusLine
            case closedWithoutAnswer

            var isRouted: Bool {
                switch self {
                case .answered(let status): status < 400 || status == 404 || status == 405
                case .answeredWithoutStatusLine: true
                case .closedWithoutAnswer: false
                }
            }

            var description: String {
                switch self {
                case .answered(let status): "answered \(status)"
                case .answeredWithoutStatusLine: "answered without a status line"
                case .closedWithoutAnswer: "closed without an answer"
                }
            }
        }

        /// Sends the raw bytes, half-closes (an incomplete request then meets end of input, not a timeout) and reads
        /// until the server closes or 3 seconds pass, keeping whatever arrived.
        static func outcome(of request: String, port: Int) async throws -> Outcome {
            let client = try await TCPClient.connect(port: port)
            defer { client.close() }
            try await client.send(request.unicodeScalars.map { UInt8(truncatingIfNeeded: $0.value) })
            client.shutdownWrite()
            let received = try await client.readUntilClosedOrTimeout(.seconds(3))
            guard !received.isEmpty else { return .closedWithoutAnswer }
            let statusLine = received.prefix { $0 != UInt8(ascii: "\r") }
            let parts = statusLine.split(separator: UInt8(ascii: " "))
            guard parts.count >= 2, parts[0].starts(with: Array("HTTP/1.".utf8)), let status = Int(String(decoding: parts[1], as: UTF8.self))
            else { return .answeredWithoutStatusLine }
            return .answered(status)
        }
    }
}

/// Debian's nginx as a child process on a free loopback port: one process, no daemon, every path it writes in a
/// directory of its own.
struct NginxPeer {
    let port: Int
    let process: ServiceProcess
    let directory: String

    static let executable = "/usr/sbin/nginx"

    static func start() async throws -> NginxPeer {
        var template = Array("/tmp/nginx-peer-XXXXXX".utf8CString)
        guard template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) != nil else {
            throw ProcessFailure(command: "mkdtemp", output: String(cString: strerror(errno)))
        }
        let directory = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        let port = try UnusedPort.loopback()
        let configuration = """
            daemon off;
            master_process off;
            error_log \(directory)/error.log info;
            pid \(directory)/nginx.pid;
            events { worker_connections 64; }
            http {
                access_log off;
                client_body_temp_path \(directory)/body;
                proxy_temp_path \(directory)/proxy;
                fastcgi_temp_path \(directory)/fastcgi;
                uwsgi_temp_path \(directory)/uwsgi;
                scgi_temp_path \(directory)/scgi;
                server {
                    listen 127.0.0.1:\(port);
                    location / { return 200 "routed\\n"; }
                }
            }
            """
        let path = directory + "/nginx.conf"
        try configuration.write(toFile: path, atomically: false, encoding: .utf8)
        let process = try ServiceProcess.start(executable, arguments: ["-c", path, "-p", directory], environment: [:])
        let peer = NginxPeer(port: port, process: process, directory: directory)
        do {
            try await Poll.until("nginx to listen on port \(port)", timeout: .seconds(10), interval: .milliseconds(10)) {
                if let exit = process.exit { throw ProcessFailure(command: "nginx", output: "ended: \(exit)") }
                guard let client = try? TCPClient(port: port) else { return false }
                client.close()
                return true
            }
        } catch {
            peer.stop()
            throw ProcessFailure(command: "nginx -c \(path)", output: "\(error)\n\(process.output)\n\(peer.errorLog)")
        }
        return peer
    }

    /// nginx's own log: why it refused a request, or did not start.
    var errorLog: String {
        (try? String(contentsOfFile: directory + "/error.log", encoding: .utf8)) ?? "(no error.log)"
    }

    func stop() {
        process.kill()
        try? FileManager.default.removeItem(atPath: directory)
    }
}
