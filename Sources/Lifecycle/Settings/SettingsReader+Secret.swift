extension SettingsReader {
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
            show(name, as: "***")
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
        show(variable, as: path)
        guard !path.isEmpty else {
            report(variable, "must not be empty (it is a file path)", code: .invalidValue)
            return nil
        }
        switch SecretFile.read(path) {
        case .success(let value):
            return Secret(value, path: path)
        case .failure(let failure):
            report(variable, failure.message, code: .unreadableFile)
            return nil
        }
    }
}
