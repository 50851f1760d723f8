import Observability
import Synchronization

/// A secret read from a mounted file whose latest valid contents are used, so a rotated Kubernetes Secret takes effect
/// without a restart.
///
/// Each ``current`` costs one `stat`; the file is read again only when `stat` shows a new version (symlinks followed,
/// as the kubelet swaps `..data`). A change is logged once: `notice` when it is taken, `error` when it cannot be (the
/// last good value stays). Log lines name the variable and the path, never the contents.
final class ReloadingSecretFile<Value: Sendable>: Sendable {
    private let variable: String
    private let path: String
    private let parse: @Sendable (String) -> Result<Value, ParseFailure>
    private let logger: Logger
    private let state: Mutex<SecretFileState<Value>>

    /// Watches the file at `path`, named by `variable`, whose startup contents `text` gave `value`; `parse` turns new
    /// contents into a value or a message that does not quote them.
    init(
        path: String, variable: String, text: String, value: Value, logger: Logger,
        parse: @escaping @Sendable (String) -> Result<Value, ParseFailure>
    ) {
        self.variable = variable
        self.path = path
        self.logger = logger
        self.parse = parse
        state = Mutex(SecretFileState(text: text, value: value))
    }

    /// The value from the file's latest valid contents.
    var current: Value {
        let (event, value) = state.withLock { state in
            let event = state.observe(SecretFile.version(of: path), read: { SecretFile.read(path) }, parse: parse)
            return (event, state.value)
        }
        switch event {
        case .unchanged:
            break
        case .reloaded:
            logger.notice(
                "secret file changed; its new contents are in use",
                ["event": "config.secret_reloaded", "variable": .string(variable), "path": .string(path)])
        case .rejected(let problem):
            logger.error(
                "secret file unusable; keeping its last good contents",
                ["event": "config.secret_rejected", "variable": .string(variable), "path": .string(path), "problem": .string(problem)])
        }
        return value
    }
}
