import Glibc

extension TCPClientError {
    /// Whether a connect was refused: nothing listens on the port (a closed listener).
    public var isConnectionRefused: Bool {
        code == .system && detail == "connect: errno \(ECONNREFUSED)"
    }

    /// Whether a connect found no listener to take it: refused, or reset because its handshake finished in the
    /// instant between the listener's last accept and its close (the kernel resets what it had queued; no server can
    /// close that window). Either way nothing was sent, so a client may retry it anywhere.
    public var isConnectionNotTaken: Bool {
        isConnectionRefused || (code == .system && detail == "connect: errno \(ECONNRESET)")
    }
}
