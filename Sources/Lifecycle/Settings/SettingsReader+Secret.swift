import Glibc

extension SettingsReader {
    /// Secret files larger than this are refused: a mounted Secret holding a whole disk image is a mistake.
    static let maximumSecretFileBytes = 64 * 1024

    /// A secret from `NAME`, or from the file named by `NAME_FILE` (how Kubernetes mounts Secrets); nil when neither
    /// is set.
    ///
    /// The file's contents lose one trailing newline, `\n` or `\r\n` (`kubectl create secret --from-file` keeps it). Setting both
    /// variables, an empty value, or an unreadable or empty file is a problem. Messages name the variable and the
    /// path, never the contents.
    public mutating func secret(_ name: String, doc: String) -> Secret? {
        let fileVariable = name + "_FILE"
        declareSecret(name, doc: doc)
        declareSecret(fileVariable, doc: "Path of a file holding \(name) (a mounted Secret).")
        switch (environment[name], environment[fileVariable]) {
        case (nil, nil):
            return nil
        case (.some, .some):
            report(name, "set either \(name) or \(fileVariable), not both", code: .conflict)
            return nil
        case (let value?, nil):
            guard !value.isEmpty else {
                report(name, "must not be empty", code: .invalidValue)
                return nil
            }
            return Secret(value)
        case (nil, let path?):
            return readSecretFile(variable: fileVariable, path: path)
        }
    }

    /// A secret that exists only as a file: `name` holds the path (for example `DATABASE_PASSWORD_FILE`); nil when
    /// unset. The same trimming and problems as ``secret(_:doc:)``.
    public mutating func secretFile(_ name: String, doc: String) -> Secret? {
        declareSecret(name, doc: doc)
        guard let path = environment[name] else { return nil }
        return readSecretFile(variable: name, path: path)
    }

    private mutating func readSecretFile(variable: String, path: String) -> Secret? {
        guard !path.isEmpty else {
            report(variable, "must not be empty (it is a file path)", code: .invalidValue)
            return nil
        }
        let bytes: [UInt8]
        switch Self.readFile(path) {
        case .success(let read):
            bytes = read
        case .failure(let failure):
            report(variable, "cannot read \(path): \(failure.message)", code: .unreadableFile)
            return nil
        }
        var contents = bytes[...]
        if contents.last == UInt8(ascii: "\n") {
            contents.removeLast()
            if contents.last == UInt8(ascii: "\r") { contents.removeLast() }
        }
        guard !contents.isEmpty else {
            report(variable, "file \(path) is empty", code: .unreadableFile)
            return nil
        }
        return Secret(String(decoding: contents, as: UTF8.self), path: path)
    }

    private static func readFile(_ path: String) -> Result<[UInt8], ParseFailure> {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return .failure(ParseFailure(String(cString: strerror(errno)))) }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                return .failure(ParseFailure(String(cString: strerror(errno))))
            }
            if count == 0 { return .success(bytes) }
            bytes += chunk[..<count]
            if bytes.count > maximumSecretFileBytes {
                return .failure(ParseFailure("larger than \(maximumSecretFileBytes) bytes"))
            }
        }
    }
}
