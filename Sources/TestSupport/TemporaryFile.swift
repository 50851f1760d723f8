import Glibc

/// A file in `/tmp` holding `contents` (a secret as Kubernetes mounts it, a settings file), removed when released.
///
/// Keep it alive while something reads the file: `withExtendedLifetime`, or a `static let` for the whole run.
public final class TemporaryFile: Sendable {
    /// Where the file is.
    public let path: String

    /// Writes `contents` to a new file with a unique name.
    public init(_ contents: String) {
        var template = Array("/tmp/service-tests-XXXXXX".utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        precondition(descriptor >= 0, "mkstemp: \(String(cString: strerror(errno)))")
        defer { close(descriptor) }
        path = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        let bytes = Array(contents.utf8)
        precondition(bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) } == bytes.count, "short write")
    }

    deinit {
        unlink(path)
    }
}
