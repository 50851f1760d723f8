import Glibc
import Postgres
import TestSupport
import Testing

/// A password rotated in PostgreSQL and in the mounted Secret reaches new connections without a restart: the real
/// binary, a role that really authenticates with a password, and the file swapped the way the kubelet does it.
@Suite(.requiresPostgreSQL) struct CredentialRotationTests {
    static let role = "rotation_app"

    /// A Secret volume: `url -> ..data/url`, `..data -> ..gen_N`, updated by renaming a new `..data` symlink over the
    /// old one, as the kubelet's atomic writer does.
    final class SecretVolume: Sendable {
        let directory: String

        init(url: String) throws {
            var template = Array("/tmp/rotation-secret-XXXXXX".utf8CString)
            directory = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)) }
            try publish(url, generation: 1)
            guard symlink("..data/url", "\(directory)/url") == 0 else { throw Self.failure("symlink url") }
        }

        var path: String { "\(directory)/url" }

        func publish(_ contents: String, generation: Int) throws {
            let target = "..gen_\(generation)"
            guard mkdir("\(directory)/\(target)", 0o755) == 0, let file = fopen("\(directory)/\(target)/url", "w") else {
                throw Self.failure("writing \(target)")
            }
            fputs(contents, file)
            fclose(file)
            guard symlink(target, "\(directory)/..data_tmp") == 0, rename("\(directory)/..data_tmp", "\(directory)/..data") == 0 else {
                throw Self.failure("swapping ..data")
            }
        }

        private static func failure(_ what: String) -> ProcessFailure {
            ProcessFailure(command: what, output: String(cString: strerror(errno)))
        }

        deinit { _ = Shell.run("rm -rf '\(directory)'") }
    }

    /// Makes `role` log in with a password over TCP (the test clusters trust everyone else) and sets `password`.
    static func prepare(_ cluster: DedicatedCluster, password: String) async throws {
        try await ServiceFixture.withConnection(cluster.url) { connection in
            let path = try await connection.query("SHOW hba_file")[0].decode(String.self, at: 0)
            let rule = "host all \(role) 127.0.0.1/32 scram-sha-256\n"
            let current = Shell.run("cat '\(path)'").text
            if !current.hasPrefix(rule) {
                guard let file = fopen(path, "w") else { throw ProcessFailure(command: "writing \(path)", output: "") }
                fputs(rule + current, file)
                fclose(file)
            }
            _ = try await connection.query("SELECT pg_reload_conf()")
            // Kept across runs: it owns the tables the migrations made.
            if try await connection.query("SELECT count(*) FROM pg_roles WHERE rolname = $1", role)[0].decode(Int.self, at: 0) == 0 {
                try await connection.executeScript("CREATE ROLE \(role)")
            }
            try await connection.executeScript("ALTER ROLE \(role) LOGIN SUPERUSER PASSWORD '\(password)'")
        }
    }

    static func terminateSessions(_ cluster: DedicatedCluster) async throws {
        try await ServiceFixture.withConnection(cluster.url) { connection in
            _ = try await connection.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1", role)
        }
    }

    @Test func rotatedPasswordReachesNewConnectionsWithoutARestart() async throws {
        let cluster = try await Blocking.run { try DedicatedCluster.start("e2e-rotation") }
        defer { try? cluster.stop() }
        let old = "Old-\(UInt32.random(in: .min ... .max))"
        let new = "New-\(UInt32.random(in: .min ... .max))"
        let broken = "Broken-\(UInt32.random(in: .min ... .max))"
        try await Self.prepare(cluster, password: old)
        let port = try #require(cluster.url.split(separator: ":").last?.split(separator: "/").first)
        func url(_ password: String) -> String { "postgresql://\(Self.role):\(password)@127.0.0.1:\(port)/postgres?sslmode=disable" }
        try await ServiceFixture.migrate(url(old))
        let volume = try SecretVolume(url: url(old) + "\n")
        var environment = ServiceFixture.environment(
            url: "", ["READINESS_CHECK_INTERVAL_SECONDS": "1", "READINESS_CHECK_TIMEOUT_SECONDS": "0.5", "DB_CONNECT_TIMEOUT_SECONDS": "1",
                      "DATABASE_URL_FILE": volume.path, "LOG_LEVEL": "debug"])
        environment["DATABASE_URL"] = nil
        let service = try await ServiceFixture.serve(environment)

        // The server takes the new password; sessions already open keep working.
        try await ServiceFixture.withConnection(cluster.url) { try await $0.executeScript("ALTER ROLE \(Self.role) PASSWORD '\(new)'") }
        for _ in 0..<3 {
            #expect(await service.status("/readyz") == 200, "\(service.process.output)")
            try await Task.sleep(for: .milliseconds(500))
        }
        // Old sessions end: with the old password in the file, no new one can authenticate.
        try await Self.terminateSessions(cluster)
        try await Poll.until("/readyz to turn red with the old password", timeout: .seconds(10)) { await service.status("/readyz") == 503 }

        try volume.publish(url(new) + "\n", generation: 2)
        let published = ContinuousClock.now
        try await Poll.until("/readyz to turn green with the new password", timeout: .seconds(10)) { await service.status("/readyz") == 200 }
        let green = ContinuousClock.now - published
        #expect(green <= .seconds(3), "green \(green) after the file changed")
        // Logs reach the pipe a few milliseconds after the fact: wait for the line before counting.
        _ = try await service.process.waitForLog(event: "config.secret_reloaded", timeout: .seconds(5))
        #expect(service.process.logLines(event: "config.secret_reloaded").count == 1, "\(service.process.output)")

        // A malformed file is refused loudly, once, and the last good password stays in use for new sessions.
        try volume.publish("postgresql://\(Self.role):\(broken)@[127.0.0.1/postgres\n", generation: 3)
        try await Self.terminateSessions(cluster)
        // Probes are what make the pool notice its ended sessions and open new ones.
        try await Poll.until("a rejected file logged", timeout: .seconds(10)) {
            _ = await service.status("/readyz")
            return !service.process.logLines(event: "config.secret_rejected").isEmpty
        }
        for _ in 0..<4 {
            try await Poll.until("/readyz green on the last good password", timeout: .seconds(5)) { await service.status("/readyz") == 200 }
            try await Self.terminateSessions(cluster)
        }
        try await Poll.until("/readyz green", timeout: .seconds(5)) { await service.status("/readyz") == 200 }
        let rejected = service.process.logLines(event: "config.secret_rejected")
        #expect(rejected.count == 1, "\(service.process.output)")
        #expect(rejected.allSatisfy { $0.contains("\"level\":\"error\"") && $0.contains(volume.path) }, "\(rejected)")

        service.process.send(SIGTERM)
        #expect(try await service.process.waitForExit(timeout: .seconds(8)).code == 0, "\(service.process.output)")
        for secret in [old, new, broken] {
            #expect(!service.process.output.contains(secret), "the output holds a password:\n\(service.process.output)")
        }
        try await Blocking.run { try cluster.stop() }
    }
}
