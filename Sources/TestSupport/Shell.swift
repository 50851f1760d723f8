import Glibc

/// Runs shell commands (scripts/dev-postgres.sh, pgbouncer) for tests that manage external processes.
public enum Shell {
    /// The repository's root directory (this file is `Sources/TestSupport/Shell.swift`).
    public static let repositoryRoot: String = {
        var path = #filePath
        for _ in 0..<3 { path = String(path[..<path.lastIndex(of: "/")!]) }
        return path
    }()

    /// Runs `command` with `/bin/sh`, blocking the calling thread; returns its exit status and combined output.
    ///
    /// Call it through ``Blocking/run(_:)`` from async code when the command may take long (starting PostgreSQL).
    @discardableResult
    public static func run(_ command: String) -> (status: Int32, text: String) {
        guard let pipe = popen("\(command) 2>&1", "r") else { return (-1, "popen failed") }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = fread(&buffer, 1, buffer.count, pipe)
            if count <= 0 { break }
            bytes += buffer[..<count]
        }
        let text = String(decoding: bytes, as: UTF8.self)
        let status = pclose(pipe)
        return (status == 0 ? 0 : (status >> 8 == 0 ? status : status >> 8), text)
    }
}
