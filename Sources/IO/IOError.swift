import Glibc

/// A failed system call: which operation failed and the `errno` it reported.
public struct IOError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The `errno` value reported by the system call.
    public let errno: CInt
    /// The system call or operation that failed, e.g. `"accept4"`.
    public let operation: String

    /// Creates an error for `operation` with an explicit `errno` value.
    public init(errno: CInt, operation: String) {
        self.errno = errno
        self.operation = operation
    }

    /// Creates an error for `operation` from the calling thread's current `errno`.
    public static func current(_ operation: String) -> IOError {
        IOError(errno: Glibc.errno, operation: operation)
    }

    public var description: String {
        "\(operation) failed: \(String(cString: strerror(errno))) (errno \(errno))"
    }
}
