import Glibc

extension TCPClientError {
    /// Whether a connect was refused: nothing listens on the port (a closed listener).
    public var isConnectionRefused: Bool {
        code == .system && detail == "connect: errno \(ECONNREFUSED)"
    }
}
