/// A PostgreSQL cluster of its own (scripts/dev-postgres.sh with `DEV_POSTGRES_DIR`), for tests that stop or
/// restart the server without disturbing the others.
///
/// Its data lives in `.data/pg-<name>` and its port is remembered there, so ``start(_:)`` after ``stop()`` brings
/// the same server back at the same URL. The methods block (starting PostgreSQL takes a second or more): call them
/// through ``Blocking/run(_:)`` from async tests.
public struct DedicatedCluster: Sendable {
    /// The directory holding the data, socket, log and port.
    public let directory: String
    /// Its `postgresql://` URL (database `postgres`, user `postgres`, trust authentication).
    public let url: String

    /// Creates the cluster `name` if needed and starts it unless running.
    public static func start(_ name: String) throws -> DedicatedCluster {
        let directory = "\(Shell.repositoryRoot)/.data/pg-\(name)"
        return DedicatedCluster(directory: directory, url: try startCluster(in: directory))
    }

    /// Runs `scripts/dev-postgres.sh start` for the cluster in `directory` and returns the URL it prints.
    static func startCluster(in directory: String) throws -> String {
        let output = Shell.run("DEV_POSTGRES_DIR='\(directory)' '\(Shell.repositoryRoot)/scripts/dev-postgres.sh' start")
        guard output.status == 0, let url = output.text.split(separator: "\n").last, url.hasPrefix("postgresql://") else {
            throw ProcessFailure(command: "dev-postgres.sh start (\(directory))", output: output.text)
        }
        return String(url)
    }

    /// Stops the server (fast shutdown: sessions are terminated).
    public func stop() throws {
        let output = Shell.run("DEV_POSTGRES_DIR='\(directory)' '\(Shell.repositoryRoot)/scripts/dev-postgres.sh' stop")
        guard output.status == 0 else { throw ProcessFailure(command: "dev-postgres.sh stop", output: output.text) }
    }

    /// Starts the stopped server again, at the same URL.
    public func start() throws {
        let restarted = try Self.startCluster(in: directory)
        guard restarted == url else {
            throw ProcessFailure(command: "dev-postgres.sh start", output: "came back at \(restarted), not \(url)")
        }
    }

    /// Stops and starts the server.
    public func restart() throws {
        try stop()
        try start()
    }
}
