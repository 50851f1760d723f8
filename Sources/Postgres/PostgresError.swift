/// An error from the database layer: connecting, querying, decoding or pooling.
///
/// `description` is deliberately generic: it names the class of error and the SQLSTATE, never the query's
/// parameters, the password or the server's message (which can quote values). `debugDescription`
/// (`String(reflecting: error)`) adds the server's primary message and the names of the objects involved;
/// keep it out of responses to clients.
public struct PostgresError: Error, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The class of error. New codes may be added: switch with a `default`.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable {
            case connectionFailed, connectionLost, timeout, canceled, statementTimeout
            case uniqueViolation, foreignKeyViolation, notNullViolation, checkViolation
            case serializationFailure, deadlockDetected
            case syntaxError, undefinedTable, undefinedColumn, undefinedFunction, invalidTextRepresentation
            case server
            case decoding, invalidConfiguration, clientError
            case poolAcquireTimeout, poolClosed
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// Establishing the connection failed (unreachable, authentication, too many connections).
        public static let connectionFailed = Code(.connectionFailed)
        /// The connection broke: server restart, terminated backend, network failure.
        public static let connectionLost = Code(.connectionLost)
        /// A client-side deadline passed (the connect timeout, or draining after a cancel).
        public static let timeout = Code(.timeout)
        /// The query was cancelled because its task was cancelled.
        public static let canceled = Code(.canceled)
        /// The server cancelled the query after `statement_timeout` (SQLSTATE 57014 not requested by us).
        public static let statementTimeout = Code(.statementTimeout)
        /// SQLSTATE 23505.
        public static let uniqueViolation = Code(.uniqueViolation)
        /// SQLSTATE 23503.
        public static let foreignKeyViolation = Code(.foreignKeyViolation)
        /// SQLSTATE 23502.
        public static let notNullViolation = Code(.notNullViolation)
        /// SQLSTATE 23514.
        public static let checkViolation = Code(.checkViolation)
        /// SQLSTATE 40001: retry the transaction.
        public static let serializationFailure = Code(.serializationFailure)
        /// SQLSTATE 40P01: retry the transaction.
        public static let deadlockDetected = Code(.deadlockDetected)
        /// SQLSTATE 42601.
        public static let syntaxError = Code(.syntaxError)
        /// SQLSTATE 42P01.
        public static let undefinedTable = Code(.undefinedTable)
        /// SQLSTATE 42703.
        public static let undefinedColumn = Code(.undefinedColumn)
        /// SQLSTATE 42883.
        public static let undefinedFunction = Code(.undefinedFunction)
        /// SQLSTATE 22P02: a parameter the server could not parse as its type.
        public static let invalidTextRepresentation = Code(.invalidTextRepresentation)
        /// Any other server error; see ``PostgresError/sqlState``.
        public static let server = Code(.server)
        /// A column could not be decoded as the requested Swift type.
        public static let decoding = Code(.decoding)
        /// The connection settings are invalid (for example a malformed `DATABASE_URL`).
        public static let invalidConfiguration = Code(.invalidConfiguration)
        /// libpq refused a request (out of memory, connection in the wrong state).
        public static let clientError = Code(.clientError)
        /// No connection became free within the pool's acquire timeout.
        public static let poolAcquireTimeout = Code(.poolAcquireTimeout)
        /// The pool is shutting down or closed.
        public static let poolClosed = Code(.poolClosed)

        public var description: String {
            switch base {
            case .connectionFailed: "connectionFailed"
            case .connectionLost: "connectionLost"
            case .timeout: "timeout"
            case .canceled: "canceled"
            case .statementTimeout: "statementTimeout"
            case .uniqueViolation: "uniqueViolation"
            case .foreignKeyViolation: "foreignKeyViolation"
            case .notNullViolation: "notNullViolation"
            case .checkViolation: "checkViolation"
            case .serializationFailure: "serializationFailure"
            case .deadlockDetected: "deadlockDetected"
            case .syntaxError: "syntaxError"
            case .undefinedTable: "undefinedTable"
            case .undefinedColumn: "undefinedColumn"
            case .undefinedFunction: "undefinedFunction"
            case .invalidTextRepresentation: "invalidTextRepresentation"
            case .server: "server"
            case .decoding: "decoding"
            case .invalidConfiguration: "invalidConfiguration"
            case .clientError: "clientError"
            case .poolAcquireTimeout: "poolAcquireTimeout"
            case .poolClosed: "poolClosed"
            }
        }
    }

    /// The class of error.
    public let code: Code
    /// The five-character SQLSTATE when the server reported the error.
    public let sqlState: String?
    /// A short, safe explanation written by this library (never server text or values).
    public let summary: String?
    /// The server's primary message. It may quote values: keep it out of client responses.
    public let serverMessage: String?
    /// Names of the objects involved (constraint, table, column), as reported by the server.
    public let constraint: String?
    /// The table named by the server, if any.
    public let table: String?
    /// The column named by the server, if any.
    public let column: String?
    /// Where the error was thrown.
    public let file: String
    /// Where the error was thrown.
    public let line: Int
    /// False when the statement never reached the server (it failed while preparing or before sending), so running it
    /// again cannot repeat its effects.
    var statementSent = true

    /// Creates an error; most are made by the library.
    public init(
        _ code: Code,
        summary: String? = nil,
        sqlState: String? = nil,
        serverMessage: String? = nil,
        constraint: String? = nil,
        table: String? = nil,
        column: String? = nil,
        file: String = #fileID,
        line: Int = #line
    ) {
        self.code = code
        self.summary = summary
        self.sqlState = sqlState
        self.serverMessage = serverMessage
        self.constraint = constraint
        self.table = table
        self.column = column
        self.file = file
        self.line = line
    }

    public var description: String {
        var text = "PostgresError(\(code)"
        if let sqlState { text += ", sqlState: \(sqlState)" }
        if let summary { text += ", \(summary)" }
        return text + ")"
    }

    public var debugDescription: String {
        var text = "PostgresError(\(code)"
        if let sqlState { text += ", sqlState: \(sqlState)" }
        if let summary { text += ", summary: \(summary)" }
        if let serverMessage { text += ", message: \(serverMessage)" }
        if let constraint { text += ", constraint: \(constraint)" }
        if let table { text += ", table: \(table)" }
        if let column { text += ", column: \(column)" }
        return text + ", at: \(file):\(line))"
    }

    /// This error, marked as raised before the statement was sent.
    func unsent() -> PostgresError {
        var error = self
        error.statementSent = false
        return error
    }

    /// True for errors after which the connection cannot be reused.
    public var isConnectionError: Bool {
        code == .connectionLost || code == .connectionFailed || code == .timeout
    }

    /// The code for a server SQLSTATE. 57014 is `statementTimeout` unless the caller knows it cancelled.
    static func code(forSQLState state: String) -> Code {
        switch state {
        case "23505": .uniqueViolation
        case "23503": .foreignKeyViolation
        case "23502": .notNullViolation
        case "23514": .checkViolation
        case "40001": .serializationFailure
        case "40P01": .deadlockDetected
        case "42601": .syntaxError
        case "42P01": .undefinedTable
        case "42703": .undefinedColumn
        case "42883": .undefinedFunction
        case "22P02": .invalidTextRepresentation
        case "57014": .statementTimeout
        // admin_shutdown (pg_terminate_backend, fast shutdown), crash_shutdown, cannot_connect_now.
        case "57P01", "57P02", "57P03": .connectionLost
        default: state.hasPrefix("08") ? .connectionLost : .server
        }
    }
}
