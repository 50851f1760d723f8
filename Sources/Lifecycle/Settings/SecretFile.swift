import Glibc

/// A secret mounted as a file (a Kubernetes Secret volume): how it is read, and how a change to it is noticed.
enum SecretFile {
    /// Files larger than this are refused: a mounted Secret holding a whole disk image is a mistake.
    static let maximumBytes = 64 * 1024

    /// What `stat` says of the file behind `path`, symlinks followed: any rewrite changes it.
    ///
    /// The kubelet updates a Secret volume by pointing the `..data` symlink at a new directory, so the inode changes;
    /// an in-place write changes the change time (to the kernel's clock tick, a few milliseconds) and usually the size.
    struct Version: Hashable, Sendable {
        let device: UInt64
        let inode: UInt64
        let size: Int64
        /// Modification and status-change times, in nanoseconds since the epoch.
        let modified: Int64
        let changed: Int64
    }

    /// The version of the file at `path`, or why it cannot be examined.
    static func version(of path: String) -> Result<Version, ParseFailure> {
        var status = stat()
        guard stat(path, &status) == 0 else { return .failure(ParseFailure(String(cString: strerror(errno)))) }
        return .success(
            Version(
                device: UInt64(status.st_dev), inode: UInt64(status.st_ino), size: Int64(status.st_size),
                modified: nanoseconds(status.st_mtim), changed: nanoseconds(status.st_ctim)))
    }

    private static func nanoseconds(_ time: timespec) -> Int64 {
        Int64(time.tv_sec) * 1_000_000_000 + Int64(time.tv_nsec)
    }

    /// The file's contents less one trailing newline, `\n` or `\r\n` (`kubectl create secret --from-file` keeps it);
    /// an unreadable, oversized or empty file is a failure whose message names `path`, never the contents.
    static func read(_ path: String) -> Result<String, ParseFailure> {
        let bytes: [UInt8]
        switch readBytes(path) {
        case .success(let read): bytes = read
        case .failure(let failure): return .failure(ParseFailure("cannot read \(path): \(failure.message)"))
        }
        var contents = bytes[...]
        if contents.last == UInt8(ascii: "\n") {
            contents.removeLast()
            if contents.last == UInt8(ascii: "\r") { contents.removeLast() }
        }
        guard !contents.isEmpty else { return .failure(ParseFailure("file \(path) is empty")) }
        return .success(String(decoding: contents, as: UTF8.self))
    }

    private static func readBytes(_ path: String) -> Result<[UInt8], ParseFailure> {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return .failure(ParseFailure(String(cString: strerror(errno)))) }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                return .failure(ParseFailure(String(cString: strerror(errno))))
            }
            if count == 0 { return .success(bytes) }
            bytes += chunk[..<count]
            if bytes.count > maximumBytes {
                return .failure(ParseFailure("larger than \(maximumBytes) bytes"))
            }
        }
    }
}
