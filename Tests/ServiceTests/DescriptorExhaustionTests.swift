import Glibc
import TestSupport
import Testing

/// The real binary under `ulimit -n 64` with more idle connections than descriptors: it sheds the excess with a 503
/// instead of spinning on a listener that `accept` cannot empty, says so once, counts it, and serves again once the
/// connections close.
@Suite(.requiresPostgreSQL) struct DescriptorExhaustionTests {
    /// The process's user and system CPU time in clock ticks (`/proc/PID/stat`, fields 14 and 15).
    static func cpuTicks(_ pid: Int32) throws -> Int {
        let fd = open("/proc/\(pid)/stat", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ProcessFailure(command: "open /proc/\(pid)/stat", output: String(cString: strerror(errno))) }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = read(fd, &buffer, buffer.count)
        let stat = String(decoding: buffer.prefix(max(count, 0)), as: UTF8.self)
        // The command name (field 2) is in parentheses and may hold spaces: count fields after its closing one.
        let fields = try #require(stat.split(separator: ")").last).split(separator: " ")
        return try #require(Int(fields[11])) + (try #require(Int(fields[12])))
    }

    @Test func idleConnectionsPastTheDescriptorLimitCostNoCPUAndAreShed() async throws {
        let schema = try await ServiceFixture.migratedSchema("descriptors")
        let environment = ServiceFixture.environment(
            schema: schema, ["HTTP_HEADER_TIMEOUT_SECONDS": "60", "HTTP_IDLE_TIMEOUT_SECONDS": "60", "DB_POOL_MAX": "2"]
        )
        // `ulimit -n` in the shell sets the hard limit too, so the service cannot raise its soft limit past 64.
        let process = try ServiceProcess.start(
            "/bin/sh", arguments: ["-c", "ulimit -n 64 && exec \"$0\" serve", try ServiceFixture.binary()], environment: environment
        )
        defer { process.kill() }
        let ports = try await process.listeningPorts()
        let service = RunningService(process: process, httpPort: ports.http, adminPort: ports.admin)
        try await Poll.until("/readyz 200\n\(process.output)", timeout: .seconds(20)) { await service.status("/readyz") == 200 }
        let startupWarning = try #require(process.logLines(event: "startup.descriptor_limit").first, "\(process.output)")
        #expect(startupWarning.contains("HTTP_MAX_CONNECTIONS") && startupWarning.contains("\"limit\":64"), "\(startupWarning)")

        let clients = try await TCPClient.connectMany(150, port: service.httpPort)
        let warning = try await process.waitForLog(event: "http.accept_failed", timeout: .seconds(10))
        #expect(warning.contains("\"reason\":\"emfile\""), "\(warning)")
        // The last connections queued are past the limit: answered 503 and closed, not left waiting.
        for client in clients.suffix(20) {
            let shed = try await client.readUntilClosed(timeout: .seconds(5))
            #expect(String(decoding: shed, as: UTF8.self).hasPrefix("HTTP/1.1 503 "))
        }

        try await Task.sleep(for: .milliseconds(500))
        #expect(process.exit == nil, "\(process.output)")
        let ticksPerSecond = sysconf(CInt(_SC_CLK_TCK))
        let before = try Self.cpuTicks(process.pid)
        try await Task.sleep(for: .seconds(2))
        let used = try Self.cpuTicks(process.pid) - before
        #expect(used < 2 * ticksPerSecond / 10, "\(used) ticks in 2 s with descriptors exhausted (\(ticksPerSecond) a second)")
        #expect(process.logLines(event: "http.accept_failed").count == 1, "logged once per period\n\(process.output)")

        clients.forEach { $0.close() }
        try await Poll.until("new connections served again\n\(process.output)", timeout: .seconds(10)) { await service.status("/livez") == 200 }
        let metrics = try StrictPrometheusParser(try await service.admin("GET", "/metrics").body)
        #expect((metrics.value("http_accept_errors_total", ["reason": "emfile"]) ?? 0) > 0)
        process.send(SIGTERM)
        #expect(try await process.waitForExit(timeout: .seconds(10)).code == 0, "\(process.output)")
        try await ServiceFixture.drop(schema)
    }
}
