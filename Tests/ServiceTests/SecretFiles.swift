import Glibc

/// Files holding secrets for the configuration tests (as Kubernetes mounts them), left in a temporary directory.
enum SecretFiles {
    /// Writes `contents` to a new file and returns its path.
    static func write(_ contents: String) -> String {
        var template = Array("/tmp/service-tests-XXXXXX".utf8CString)
        let descriptor = mkstemp(&template)
        precondition(descriptor >= 0, "mkstemp: \(String(cString: strerror(errno)))")
        defer { close(descriptor) }
        let bytes = Array(contents.utf8)
        precondition(bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) } == bytes.count, "write")
        return template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }
}
