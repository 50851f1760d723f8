/// Why a raw test client operation failed.
public struct TCPClientError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A growable set of failure kinds.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        fileprivate enum Base: Hashable, Sendable {
            case timedOut, closed, malformedResponse, system
        }

        fileprivate let base: Base
        fileprivate init(_ base: Base) { self.base = base }

        /// The deadline passed before the operation finished.
        public static let timedOut = Code(.timedOut)
        /// The peer closed (or reset) the connection before a whole response arrived.
        public static let closed = Code(.closed)
        /// The server sent something that is not a well-framed HTTP/1.1 response.
        public static let malformedResponse = Code(.malformedResponse)
        /// A system call failed.
        public static let system = Code(.system)

        public var description: String { "\(base)" }
    }

    /// What went wrong.
    public let code: Code
    /// Details: the failing call and errno, or what was malformed.
    public let detail: String

    init(_ code: Code, _ detail: String = "") {
        self.code = code
        self.detail = detail
    }

    static func system(_ errno: CInt, _ operation: String) -> TCPClientError {
        TCPClientError(.system, "\(operation): errno \(errno)")
    }

    public var description: String { detail.isEmpty ? "\(code)" : "\(code): \(detail)" }
}
