import Glibc
import Postgres
import TestSupport

/// PgBouncer in transaction pooling mode in front of `upstream`, on a free port, from a generated ini.
struct PgBouncer {
    /// Where Debian's pgbouncer package installs it.
    static let executable = "/usr/sbin/pgbouncer"

    let directory: String
    let url: String

    static func start(upstream: PostgresConfiguration) throws -> PgBouncer {
        var template = Array("/tmp/pgbouncer-test-XXXXXX".utf8CString)
        guard let created = mkdtemp(&template) else { throw ProcessFailure(command: "mkdtemp", output: "") }
        let directory = String(cString: created)
        let port = try UnusedPort.loopback()
        let host = upstream.parameter("host") ?? "127.0.0.1"
        let upstreamPort = upstream.parameter("port") ?? "5432"
        let user = upstream.parameter("user") ?? "postgres"
        let ini = """
            [databases]
            * = host=\(host) port=\(upstreamPort) user=\(user)\(upstream.parameter("password").map { " password=\($0)" } ?? "")

            [pgbouncer]
            listen_addr = 127.0.0.1
            listen_port = \(port)
            unix_socket_dir =
            auth_type = trust
            auth_file = \(directory)/users.txt
            pool_mode = transaction
            default_pool_size = 3
            max_client_conn = 500
            ignore_startup_parameters = extra_float_digits
            logfile = \(directory)/pgbouncer.log
            pidfile = \(directory)/pgbouncer.pid

            """
        try write(ini, to: "\(directory)/pgbouncer.ini")
        try write("\"\(user)\" \"\"\n", to: "\(directory)/users.txt")
        // PgBouncer refuses to run as root.
        let runAs = getuid() == 0 ? "chown -R postgres '\(directory)' && runuser -u postgres -- " : ""
        let output = Shell.run("\(runAs)\(executable) -d '\(directory)/pgbouncer.ini'")
        guard output.status == 0 else { throw ProcessFailure(command: "pgbouncer -d", output: output.text) }
        return PgBouncer(
            directory: directory,
            url: "postgresql://\(user)@127.0.0.1:\(port)/\(upstream.parameter("dbname") ?? "postgres")?sslmode=disable"
        )
    }

    func stop() {
        Shell.run("kill $(cat '\(directory)/pgbouncer.pid') && sleep 0.2; rm -rf '\(directory)'")
    }

    private static func write(_ text: String, to path: String) throws {
        guard let file = fopen(path, "w") else { throw ProcessFailure(command: "fopen \(path)", output: "") }
        defer { fclose(file) }
        _ = text.withCString { fputs($0, file) }
    }
}
