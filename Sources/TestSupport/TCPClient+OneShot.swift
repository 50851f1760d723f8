import Glibc

extension TCPClient {
    /// Opens a connection, sends one request with `Connection: close` and reads the response, all within `timeout`:
    /// what a kubelet probe or a load balancer health check does.
    public static func exchange(
        _ method: String = "GET", _ path: String, host: String = "127.0.0.1", port: Int, timeout: Duration = defaultTimeout
    ) async throws -> HTTPTestResponse {
        try await Blocking.run {
            let deadline = ContinuousClock.now + timeout
            let client = try TCPClient(host: host, port: port)
            defer { client.close() }
            let body = method == "POST" || method == "PUT" ? "Content-Length: 0\r\n" : ""
            try client.sendNow(Array("\(method) \(path) HTTP/1.1\r\nHost: service\r\n\(body)Connection: close\r\n\r\n".utf8), timeout: timeout)
            return try client.readResponseNow(bodiless: method == "HEAD", timeout: max(deadline - ContinuousClock.now, .milliseconds(1)))
        }
    }
}
