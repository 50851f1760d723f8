import Glibc

/// Writes whole buffers to a file descriptor that may be blocking or non-blocking.
enum FileDescriptorWriter {
    /// Writes all of `bytes` to `fd`.
    ///
    /// Retries on `EINTR`, continues after partial writes, and on `EAGAIN` waits in `poll(2)` until the
    /// descriptor is writable (a shared stdout pipe may have been made non-blocking by another process).
    ///
    /// - Returns: `false` when the descriptor fails with any other error.
    static func writeAll(_ bytes: UnsafeRawBufferPointer, to fd: Int32) -> Bool {
        guard var next = bytes.baseAddress else {
            return true
        }
        var remaining = bytes.count
        while remaining > 0 {
            let written = Glibc.write(fd, next, remaining)
            if written > 0 {
                next += written
                remaining -= written
                continue
            }
            switch written == 0 ? EAGAIN : errno {
            case EINTR:
                continue
            case EAGAIN, EWOULDBLOCK:
                var descriptor = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                _ = poll(&descriptor, 1, 1000)
            default:
                return false
            }
        }
        return true
    }
}
