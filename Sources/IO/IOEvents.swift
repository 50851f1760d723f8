import CIOShims

/// Readiness reported by epoll for a file descriptor.
public struct IOEvents: OptionSet, Hashable, Sendable {
    public let rawValue: UInt32

    /// Creates an event set from raw epoll bits.
    public init(rawValue: UInt32) {
        self.rawValue = rawValue
    }

    /// Data can be read (or the peer closed its side).
    public static let readable = IOEvents(rawValue: UInt32(EPOLLIN.rawValue))
    /// Data can be written without blocking.
    public static let writable = IOEvents(rawValue: UInt32(EPOLLOUT.rawValue))
    /// The peer hung up, or shut down its writing side.
    public static let hangup = IOEvents(rawValue: UInt32(EPOLLHUP.rawValue) | UInt32(EPOLLRDHUP.rawValue))
    /// An error is pending on the descriptor.
    public static let error = IOEvents(rawValue: UInt32(EPOLLERR.rawValue))
}
