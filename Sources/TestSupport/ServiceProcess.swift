import Glibc
import Synchronization

/// A real executable (the `service` binary) running as a child process, observed from outside as Kubernetes
/// observes a container: its environment goes in, signals go in, its output and exit status come out.
///
/// ```swift
/// let service = try ServiceProcess.start(try ServiceProcess.executable(named: "service"), environment: ["HTTP_PORT": "0", ...])
/// let ports = try await service.listeningPorts()
/// service.send(SIGTERM)
/// let exit = try await service.waitForExit(timeout: .seconds(5))
/// ```
/// The child gets exactly the given environment (nothing inherited), `/dev/null` as stdin, default signal
/// dispositions and an empty signal mask. Its stdout and stderr are captured in full. Dropping the last
/// reference kills a child that is still running, so a failing test never leaves a server behind.
public final class ServiceProcess: Sendable {
    /// How the process ended.
    public struct Exit: Sendable, Hashable, CustomStringConvertible {
        /// The exit code, or nil when a signal killed the process.
        public let code: Int32?
        /// The signal that killed the process, if one did.
        public let signal: Int32?
        /// When `waitpid` saw the process end.
        public let at: ContinuousClock.Instant

        public var description: String { code.map { "exit code \($0)" } ?? "killed by signal \(signal ?? 0)" }
    }

    /// The child's process id.
    public let pid: Int32
    /// When it was spawned.
    public let started: ContinuousClock.Instant
    private let capture: Capture

    /// The path of `name` next to the running test executable (SwiftPM puts every product of a build in one
    /// directory); throws with instructions when it was not built.
    public static func executable(named name: String) throws -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let length = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard length > 0 else { throw ProcessFailure(command: "readlink /proc/self/exe", output: String(cString: strerror(errno))) }
        let testExecutable = String(decoding: buffer[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let path = String(testExecutable[..<testExecutable.lastIndex(of: "/")!]) + "/" + name
        guard access(path, X_OK) == 0 else {
            throw ProcessFailure(
                command: "locating the '\(name)' executable",
                output: "\(path) does not exist or is not executable: build it with `swift build --build-tests` (scripts/test.sh does)"
            )
        }
        return path
    }

    /// Spawns `executable` with `arguments` and exactly `environment`.
    public static func start(_ executable: String, arguments: [String] = [], environment: [String: String]) throws -> ServiceProcess {
        // Socket pairs rather than pipes, because they can be made close-on-exec atomically (Glibc does not export
        // pipe2), so children spawned concurrently by other tests never hold our ends open.
        var stdoutPipe: [CInt] = [-1, -1]
        var stderrPipe: [CInt] = [-1, -1]
        let streamType = CInt(SOCK_STREAM.rawValue) | CInt(SOCK_CLOEXEC.rawValue)
        guard socketpair(AF_UNIX, streamType, 0, &stdoutPipe) == 0 else {
            throw ProcessFailure(command: "socketpair", output: String(cString: strerror(errno)))
        }
        guard socketpair(AF_UNIX, streamType, 0, &stderrPipe) == 0 else {
            let failure = ProcessFailure(command: "socketpair", output: String(cString: strerror(errno)))
            stdoutPipe.forEach { close($0) }
            throw failure
        }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, stdoutPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, stderrPipe[1], 2)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // The test runner may ignore or block signals; a container's process starts with neither.
        var everySignal = sigset_t()
        sigfillset(&everySignal)
        posix_spawnattr_setsigdefault(&attributes, &everySignal)
        var noSignal = sigset_t()
        sigemptyset(&noSignal)
        posix_spawnattr_setsigmask(&attributes, &noSignal)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }

        var pid = pid_t()
        let status = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        close(stdoutPipe[1])
        close(stderrPipe[1])
        guard status == 0 else {
            close(stdoutPipe[0])
            close(stderrPipe[0])
            throw ProcessFailure(command: "posix_spawn \(executable)", output: String(cString: strerror(status)))
        }
        return ServiceProcess(pid: pid, stdout: stdoutPipe[0], stderr: stderrPipe[0])
    }

    private init(pid: Int32, stdout: CInt, stderr: CInt) {
        self.pid = pid
        started = .now
        let capture = Capture()
        self.capture = capture
        // Each reader and the reaper hold only `capture`, never `self`, so `deinit` can still kill the child.
        for (descriptor, isStandardError) in [(stdout, false), (stderr, true)] {
            Task.detached { _ = try? await Blocking.run { capture.read(descriptor, isStandardError: isStandardError) } }
        }
        Task.detached { _ = try? await Blocking.run { capture.reap(pid) } }
    }

    deinit {
        kill()
    }

    // MARK: Observing

    /// Everything written to stdout so far.
    public var standardOutput: String { capture.state.withLock { String(decoding: $0.stdout, as: UTF8.self) } }
    /// Everything written to stderr so far.
    public var standardError: String { capture.state.withLock { String(decoding: $0.stderr, as: UTF8.self) } }
    /// stdout then stderr, for failure messages and for checks that must cover both.
    public var output: String { "--- stdout ---\n\(standardOutput)--- stderr ---\n\(standardError)" }
    /// The complete lines written to stdout so far (one JSON log line each, for the service).
    public var outputLines: [String] { standardOutput.split(separator: "\n").map(String.init) }
    /// How the process ended, or nil while it runs.
    public var exit: Exit? { capture.state.withLock { $0.exit } }

    /// The stdout lines of log events named `event` (`"event":"<event>"`), in order.
    public func logLines(event: String) -> [String] {
        outputLines.filter { $0.contains("\"event\":\"\(event)\"") }
    }

    /// Waits for the first log line of `event`; throws if the process exits or `timeout` passes first.
    @discardableResult
    public func waitForLog(event: String, timeout: Duration) async throws -> String {
        var found: String?
        do {
            try await Poll.until("log event \(event)", timeout: timeout, interval: .milliseconds(10)) {
                found = logLines(event: event).first
                if found == nil, let exit {
                    throw ProcessFailure(command: "waiting for log event \(event): the process ended (\(exit))", output: output)
                }
                return found != nil
            }
        } catch let timeout as PollTimeout {
            throw ProcessFailure(command: timeout.description, output: output)
        }
        return found!
    }

    /// The traffic and admin ports, from the `startup.listening` log line (so `HTTP_PORT=0` / `ADMIN_PORT=0` work).
    public func listeningPorts(timeout: Duration = .seconds(20)) async throws -> (http: Int, admin: Int) {
        let line = try await waitForLog(event: "startup.listening", timeout: timeout)
        guard let http = Self.integerField("http_port", in: line), let admin = Self.integerField("admin_port", in: line) else {
            throw ProcessFailure(command: "reading the ports from \(line)", output: output)
        }
        return (http, admin)
    }

    /// The value of `"name":<integer>` in a JSON log line.
    public static func integerField(_ name: String, in line: String) -> Int? {
        guard let range = line.firstRange(of: "\"\(name)\":") else { return nil }
        return Int(line[range.upperBound...].prefix { $0 == "-" || $0.isNumber })
    }

    // MARK: Controlling

    /// Sends `signal` (SIGTERM, SIGINT, ...) unless the process has ended.
    public func send(_ signal: Int32) {
        capture.state.withLock { state in
            // Under the lock, so the pid cannot have been reaped (and reused) in between.
            if state.exit == nil { _ = Glibc.kill(pid, signal) }
        }
    }

    /// Kills the process (SIGKILL) if it still runs.
    public func kill() {
        send(SIGKILL)
    }

    /// Waits until the process has ended and its output is fully captured; throws if `timeout` passes first.
    @discardableResult
    public func waitForExit(timeout: Duration) async throws -> Exit {
        do {
            try await Poll.until("the process to exit", timeout: timeout, interval: .milliseconds(5)) {
                capture.state.withLock { $0.exit != nil && $0.openStreams == 0 }
            }
        } catch let timeout as PollTimeout {
            throw ProcessFailure(command: timeout.description, output: output)
        }
        return exit!
    }

    /// The output buffers and exit status, shared with the reader and reaper threads.
    private final class Capture: Sendable {
        struct State {
            var stdout: [UInt8] = []
            var stderr: [UInt8] = []
            var openStreams = 2
            var exit: Exit?
        }

        let state = Mutex(State())

        /// Reads `descriptor` to its end (blocking a thread of its own), then closes it.
        func read(_ descriptor: CInt, isStandardError: Bool) {
            var chunk = [UInt8](repeating: 0, count: 64 * 1024)
            while true {
                let count = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else { break }
                state.withLock { state in
                    if isStandardError { state.stderr += chunk[..<count] } else { state.stdout += chunk[..<count] }
                }
            }
            close(descriptor)
            state.withLock { $0.openStreams -= 1 }
        }

        /// Waits for the child to end (blocking a thread of its own) and records how.
        ///
        /// It waits without reaping first, then reaps under the lock that ``send(_:)`` takes, so a signal can never
        /// reach another process that reused the pid.
        func reap(_ pid: pid_t) {
            var info = siginfo_t()
            while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) < 0 {
                guard errno == EINTR else { return }
            }
            let now = ContinuousClock.now
            state.withLock { state in
                var status: CInt = 0
                guard waitpid(pid, &status, WNOHANG) == pid else { return }
                let signal = status & 0x7f
                state.exit = signal == 0 ? Exit(code: (status >> 8) & 0xff, signal: nil, at: now) : Exit(code: nil, signal: signal, at: now)
            }
        }
    }
}
