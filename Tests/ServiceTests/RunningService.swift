import TestSupport

/// A `service serve` process and its two ports.
struct RunningService: Sendable {
    let process: ServiceProcess
    let httpPort: Int
    let adminPort: Int

    /// One request on a fresh connection to the traffic port, as a probe or a new client makes it.
    func get(_ path: String, timeout: Duration = .seconds(5)) async throws -> HTTPTestResponse {
        try await TCPClient.exchange("GET", path, port: httpPort, timeout: timeout)
    }

    /// One request on a fresh connection to the admin port.
    func admin(_ method: String = "GET", _ path: String, timeout: Duration = .seconds(5)) async throws -> HTTPTestResponse {
        try await TCPClient.exchange(method, path, port: adminPort, timeout: timeout)
    }

    /// The status of `path` on the traffic port, or nil when there was no answer within `timeout`.
    func status(_ path: String, timeout: Duration = .seconds(2)) async -> Int? {
        try? await get(path, timeout: timeout).status
    }
}
