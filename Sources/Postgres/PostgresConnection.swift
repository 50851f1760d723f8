import CLibPQ
import Dispatch
import Glibc
public import IO
import Synchronization

/// One PostgreSQL session over libpq's asynchronous API.
///
/// Nothing blocks a thread: libpq runs in non-blocking mode, and the connection suspends its task on the
/// event loop's epoll until the socket is ready. Parameters are always bound, never interpolated into SQL.
/// Results come back in binary format. With ``PostgresConfiguration/preparedStatements`` on, each SQL text is
/// prepared once per connection and then executed by name.
///
/// A connection serves one caller at a time (overlapping use is a programming error and traps); the pool
/// hands it out through a lease. Cancelling the task that runs a query cancels the query on the server.
///
/// ```swift
/// let connection = try await PostgresConnection.connect(configuration: configuration, loop: group.next())
/// let rows = try await connection.query("SELECT name FROM items WHERE id = $1", id)
/// connection.close()
/// ```
public final class PostgresConnection: Sendable {
    private struct State {
        var statements: [String: String] = [:]
        var nextStatementNumber = 0
        var isBroken = false
        var isClosed = false
    }

    let handle: LibPQHandle
    private let watcher: FileDescriptorWatcher
    private let state = Mutex(State())
    private let inUse = Atomic<Bool>(false)
    private let lastSuccessNanoseconds = Atomic<UInt64>(0)
    private let preparedStatements: Bool
    private let statementCacheSize: Int
    /// Kept alive for as long as libpq may call it, i.e. until `PQfinish`.
    private let notices: PostgresNoticeSink
    /// The instant the connection was established.
    public let establishedAt: MonotonicInstant

    private init(handle: LibPQHandle, watcher: FileDescriptorWatcher, configuration: PostgresConfiguration, notices: PostgresNoticeSink) {
        self.handle = handle
        self.notices = notices
        self.watcher = watcher
        self.preparedStatements = configuration.preparedStatements
        self.statementCacheSize = configuration.preparedStatementCacheSize
        self.establishedAt = .now()
    }

    deinit {
        close()
    }

    /// Opens a connection without blocking, within ``PostgresConfiguration/connectTimeout``.
    ///
    /// - Parameters:
    ///   - configuration: Where to connect and how the session behaves.
    ///   - loop: The event loop whose epoll waits for the socket.
    ///   - notices: Where the server's notices and warnings go (discarded by default, never to stderr).
    /// - Throws: ``PostgresError`` with code `connectionFailed` or `timeout`.
    public static func connect(
        configuration: PostgresConfiguration, loop: EventLoop, notices: PostgresNoticeSink = PostgresNoticeSink(logger: nil)
    ) async throws -> PostgresConnection {
        let handle = try LibPQHandle.start(parameters: configuration.connectParameters)
        notices.install(on: handle.connection)
        do {
            try await withDeadline(configuration.connectTimeout) {
                try await pollUntilConnected(handle, loop: loop)
            }
            guard PQsetnonblocking(handle.connection, 1) == 0 else {
                throw PostgresError(.connectionFailed, summary: "could not switch to non-blocking mode")
            }
            let watcher = try FileDescriptorWatcher(fileDescriptor: PQsocket(handle.connection), loop: loop)
            return PostgresConnection(handle: handle, watcher: watcher, configuration: configuration, notices: notices)
        } catch let error as PostgresError {
            PQfinish(handle.connection)
            throw error
        } catch is CancellationError {
            PQfinish(handle.connection)
            throw CancellationError()
        } catch {
            PQfinish(handle.connection)
            throw PostgresError(.connectionFailed, summary: "event loop registration failed")
        }
    }

    /// Drives `PQconnectPoll`. libpq may close and reopen the socket between steps (several hosts or
    /// addresses), so each step watches the current descriptor and stops watching before libpq runs again.
    private static func pollUntilConnected(_ handle: LibPQHandle, loop: EventLoop) async throws {
        var status = PGRES_POLLING_WRITING
        while true {
            switch status {
            case PGRES_POLLING_OK:
                return
            case PGRES_POLLING_READING, PGRES_POLLING_WRITING:
                let watcher = try FileDescriptorWatcher(fileDescriptor: PQsocket(handle.connection), loop: loop)
                defer { watcher.close() }
                _ = try await watcher.wait(for: status == PGRES_POLLING_READING ? .readable : .writable)
            default:
                throw PostgresError(
                    .connectionFailed,
                    summary: "could not connect to the server",
                    serverMessage: handle.errorMessage
                )
            }
            status = PQconnectPoll(handle.connection)
        }
    }

    /// Closes the session. Idempotent; the connection must not be in use.
    public func close() {
        let wasClosed = state.withLock { state in
            defer { state.isClosed = true }
            return state.isClosed
        }
        guard !wasClosed else { return }
        watcher.close()
        PQfinish(handle.connection)
    }

    /// Shuts the socket down under a running query so that its owner sees a lost connection promptly.
    ///
    /// Safe from any thread: the descriptor stays open (the owner still closes it), only the traffic stops.
    func abort() {
        let isClosed = state.withLock { $0.isClosed }
        if !isClosed { _ = shutdown(watcher.fileDescriptor, CInt(SHUT_RDWR)) }
    }

    /// True if the session can run another statement: not broken, no transaction open, nothing pending.
    public var isReusable: Bool {
        let isBroken = state.withLock { $0.isBroken || $0.isClosed }
        return !isBroken && PQstatus(handle.connection) == CONNECTION_OK
            && PQtransactionStatus(handle.connection) == PQTRANS_IDLE
    }

    /// True inside a transaction that an error aborted (only `ROLLBACK` can follow).
    var isTransactionFailed: Bool {
        PQtransactionStatus(handle.connection) == PQTRANS_INERROR
    }

    /// When a statement last completed without error, or `nil` if none has.
    public var lastSuccessfulQuery: MonotonicInstant? {
        let nanoseconds = lastSuccessNanoseconds.load(ordering: .relaxed)
        return nanoseconds == 0 ? nil : MonotonicInstant(nanoseconds: nanoseconds)
    }

    /// Looks, without waiting, for anything the server sent while the connection sat idle. Returns whether the
    /// session is usable.
    ///
    /// An idle session hears nothing from a healthy server (the pool does not `LISTEN`), so any byte is taken as a
    /// goodbye: a terminated backend or a shutting-down server sends its FATAL message and then closes, and the close
    /// can arrive after the message. A peek sees either, costs one non-blocking system call, and leaves libpq's
    /// buffers alone.
    func checkWithoutWaiting() -> Bool {
        guard isReusable else { return false }
        var byte: UInt8 = 0
        let peeked = recv(watcher.fileDescriptor, &byte, 1, CInt(MSG_PEEK) | CInt(MSG_DONTWAIT))
        guard peeked < 0, errno == EAGAIN || errno == EWOULDBLOCK else {
            state.withLock { $0.isBroken = true }
            return false
        }
        return PQisBusy(handle.connection) == 0
    }

    // MARK: Queries

    /// Runs one statement with its parameters bound (`$1`, `$2`, …) and returns all its rows.
    ///
    /// - Throws: ``PostgresError``; `canceled` if the task was cancelled (the server query is cancelled too).
    public func query<each Parameter: PostgresBindable>(
        _ sql: String,
        _ parameters: repeat each Parameter
    ) async throws -> PostgresRows {
        try await query(sql, bindings: PostgresBindings(repeat each parameters))
    }

    /// Runs one statement with the given parameters and returns all its rows.
    public func query(_ sql: String, bindings: PostgresBindings) async throws -> PostgresRows {
        guard !bindings.hasInvalidText else {
            throw PostgresError(.clientError, summary: "a text parameter contains a NUL byte")
        }
        return try await exclusively {
            let statement: String?
            do {
                // Preparing runs nothing: a failure here, even mid-flight, leaves the statement unsent.
                statement = try await preparedStatementName(for: sql, parameterCount: bindings.count)
            } catch let error as PostgresError {
                throw error.unsent()
            }
            let sent = bindings.withParameterArrays { count, values, lengths, formats in
                if let statement {
                    PQsendQueryPrepared(handle.connection, statement, count, values, lengths, formats, 1)
                } else {
                    PQsendQueryParams(handle.connection, sql, count, nil, values, lengths, formats, 1)
                }
            }
            // libpq refuses to queue a statement on a connection it already knows is bad.
            guard sent == 1 else { throw connectionError(summary: "could not send the query").unsent() }
            do {
                return try await complete(sent: sent)
            } catch let error as PostgresError where statement != nil && Self.invalidatesStatement(error) {
                state.withLock { _ = $0.statements.removeValue(forKey: sql) }
                throw error
            }
        }
    }

    /// Runs SQL text that may hold several statements, without parameters (migrations, `BEGIN`, `COMMIT`).
    ///
    /// Never put values into `sql`: use ``query(_:_:)`` for anything with parameters.
    public func executeScript(_ sql: String) async throws {
        try await exclusively {
            _ = try await complete(sent: PQsendQuery(handle.connection, sql))
        }
    }

    /// Makes sure a statement is not already running, and marks the connection broken on connection errors.
    private func exclusively<Result>(_ body: () async throws -> Result) async throws -> Result {
        precondition(!inUse.exchange(true, ordering: .acquiring), "PostgresConnection used by two tasks at once")
        defer { inUse.store(false, ordering: .releasing) }
        let unusable = state.withLock { $0.isBroken || $0.isClosed }
        guard !unusable else {
            throw PostgresError(.connectionLost, summary: "the connection was closed after an earlier failure").unsent()
        }
        do {
            return try await body()
        } catch let error as PostgresError {
            if error.isConnectionError || PQstatus(handle.connection) != CONNECTION_OK {
                state.withLock { $0.isBroken = true }
            }
            throw error
        }
    }

    /// The name of the prepared statement for `sql`, preparing it first if needed; `nil` to run it unnamed.
    private func preparedStatementName(for sql: String, parameterCount: Int) async throws -> String? {
        guard preparedStatements else { return nil }
        let lookup = state.withLock { state -> (name: String?, isFull: Bool, number: Int) in
            (state.statements[sql], state.statements.count >= statementCacheSize, state.nextStatementNumber)
        }
        if let name = lookup.name { return name }
        if lookup.isFull { return nil }
        let name = "s\(lookup.number)"
        state.withLock { $0.nextStatementNumber += 1 }
        _ = try await complete(sent: PQsendPrepare(handle.connection, name, sql, Int32(parameterCount), nil))
        state.withLock { $0.statements[sql] = name }
        return name
    }

    /// Errors after which the cached statement must be prepared again: it was dropped (`DEALLOCATE`,
    /// `DISCARD ALL`: 26000) or its result type changed with the schema (0A000).
    private static func invalidatesStatement(_ error: PostgresError) -> Bool {
        error.sqlState == "26000" || error.sqlState == "0A000"
    }

    /// Flushes the request, then collects its results; on task cancellation cancels the server query.
    private func complete(sent: CInt) async throws -> PostgresRows {
        guard sent == 1 else { throw connectionError(summary: "could not send the query") }
        do {
            let rows = try await flushAndRead(cancelRequested: false)
            lastSuccessNanoseconds.store(MonotonicInstant.now().nanoseconds, ordering: .relaxed)
            return rows
        } catch is CancellationError {
            try await cancelAndDrain()
        }
    }

    private func flushAndRead(cancelRequested: Bool) async throws -> PostgresRows {
        let connection = handle.connection
        while true {
            let pending = PQflush(connection)
            if pending == 0 { break }
            guard pending > 0 else { throw connectionError(summary: "could not send the query") }
            // With TLS libpq may need to read before it can write.
            let events = try await watcher.wait(for: [.readable, .writable])
            if events.contains(.readable) || events.contains(.hangup) || events.contains(.error) {
                guard PQconsumeInput(connection) == 1 else {
                    throw connectionError(summary: "connection lost while sending")
                }
            }
        }
        var rows: PostgresRows?
        var failure: PostgresError?
        while true {
            while PQisBusy(connection) == 1 {
                _ = try await watcher.wait(for: .readable)
                guard PQconsumeInput(connection) == 1 else {
                    throw connectionError(summary: "connection lost while reading")
                }
            }
            guard let result = PQgetResult(connection) else { break }
            switch PQresultStatus(result) {
            case PGRES_TUPLES_OK, PGRES_COMMAND_OK, PGRES_EMPTY_QUERY:
                rows = PostgresRows(result: result)
            case PGRES_FATAL_ERROR:
                if failure == nil { failure = makeError(result: result, cancelRequested: cancelRequested) }
                PQclear(result)
            default:
                // COPY and other states this API does not drive would leave the session unusable.
                PQclear(result)
                state.withLock { $0.isBroken = true }
                if failure == nil {
                    failure = PostgresError(.clientError, summary: "unsupported result (COPY is not supported)")
                }
            }
        }
        if let failure { throw failure }
        guard let rows else { throw PostgresError(.clientError, summary: "the server returned no result") }
        return rows
    }

    /// Asks the server to cancel the running statement, then reads the connection back to idle.
    ///
    /// `PQcancel` blocks (it opens a new connection), so it runs on a Dispatch queue, never on the event loop
    /// or the cooperative pool. The draining runs in a fresh task because this one is cancelled, and every
    /// wait in it would fail at once. If draining fails the connection is marked broken and discarded.
    private func cancelAndDrain() async throws -> Never {
        guard let cancel = PQgetCancel(handle.connection) else {
            state.withLock { $0.isBroken = true }
            throw PostgresError(.canceled, summary: "query cancelled; the connection was discarded")
        }
        let request = LibPQCancelHandle(cancel: cancel)
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().async {
                var buffer = [CChar](repeating: 0, count: 256)
                _ = PQcancel(request.cancel, &buffer, Int32(buffer.count))
                PQfreeCancel(request.cancel)
                continuation.resume()
            }
        }
        let drained = await Task {
            do {
                _ = try await withDeadline(.seconds(5)) { try await self.flushAndRead(cancelRequested: true) }
                return true
            } catch let error as PostgresError {
                return error.code == .canceled || !error.isConnectionError
            } catch {
                return false
            }
        }.value
        if !drained || PQisBusy(handle.connection) == 1 { state.withLock { $0.isBroken = true } }
        throw PostgresError(.canceled, summary: "query cancelled", sqlState: "57014")
    }

    private func makeError(result: OpaquePointer, cancelRequested: Bool) -> PostgresError {
        // The PG_DIAG_* field codes are character macros, which Swift does not import.
        func field(_ code: Unicode.Scalar) -> String? {
            PQresultErrorField(result, Int32(code.value)).map { String(cString: $0) }
        }
        let sqlState = field("C")
        var code = sqlState.map(PostgresError.code(forSQLState:)) ?? .server
        if code == .statementTimeout, cancelRequested { code = .canceled }
        if PQstatus(handle.connection) != CONNECTION_OK { code = .connectionLost }
        return PostgresError(
            code,
            sqlState: sqlState,
            serverMessage: field("M"),
            constraint: field("n"),
            table: field("t"),
            column: field("c")
        )
    }

    private func connectionError(summary: String) -> PostgresError {
        let lost = PQstatus(handle.connection) != CONNECTION_OK
        return PostgresError(
            lost ? .connectionLost : .clientError, summary: summary, serverMessage: handle.errorMessage)
    }
}

/// A libpq connection pointer that crosses tasks; its owner serialises every use.
struct LibPQHandle: @unchecked Sendable {
    let connection: OpaquePointer

    /// `PQconnectStartParams` with keyword/value pairs (`expand_dbname` off: the string was parsed already).
    static func start(parameters: [(keyword: String, value: String)]) throws(PostgresError) -> LibPQHandle {
        let keywords = parameters.map { strdup($0.keyword) } + [nil]
        let values = parameters.map { strdup($0.value) } + [nil]
        defer {
            for keyword in keywords { free(keyword) }
            for value in values { free(value) }
        }
        let connection = keywords.withUnsafeBufferPointer { keywordPointers in
            values.withUnsafeBufferPointer { valuePointers in
                keywordPointers.withMemoryRebound(to: UnsafePointer<CChar>?.self) { keywordPointers in
                    valuePointers.withMemoryRebound(to: UnsafePointer<CChar>?.self) { valuePointers in
                        PQconnectStartParams(keywordPointers.baseAddress, valuePointers.baseAddress, 0)
                    }
                }
            }
        }
        guard let connection else {
            throw PostgresError(.clientError, summary: "libpq could not allocate a connection")
        }
        if PQstatus(connection) == CONNECTION_BAD {
            let error = PostgresError(
                .connectionFailed,
                summary: "could not start connecting",
                serverMessage: String(cString: PQerrorMessage(connection))
            )
            PQfinish(connection)
            throw error
        }
        return LibPQHandle(connection: connection)
    }

    /// libpq's last error text (host names and user names, never the password).
    var errorMessage: String {
        String(cString: PQerrorMessage(connection))
    }
}

/// A `PGcancel`, which libpq allows to use from any thread.
struct LibPQCancelHandle: @unchecked Sendable {
    let cancel: OpaquePointer
}
