import Glibc

/// Why an `accept` failed, as the server counts it (``HTTPServer/acceptErrorCount(_:)``).
public enum AcceptErrorReason: String, CaseIterable, Sendable {
    /// `EMFILE`: the process has no descriptor left (`RLIMIT_NOFILE`).
    case emfile
    /// `ENFILE`: the system has no descriptor left.
    case enfile
    /// `ENOBUFS` or `ENOMEM`: the kernel has no memory for another socket.
    case enomem
    /// Anything else, such as `EPERM` from a firewall rule.
    case other

    init(errno: CInt) {
        switch errno {
        case EMFILE: self = .emfile
        case ENFILE: self = .enfile
        case ENOBUFS, ENOMEM: self = .enomem
        default: self = .other
        }
    }

    /// Whether a free descriptor would let the accept succeed, so the spare descriptor can shed the connection.
    var isOutOfDescriptors: Bool { self == .emfile || self == .enfile }
}
