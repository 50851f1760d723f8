/// Which contents of a mounted secret file are in use: the latest that was readable and valid.
///
/// A pure value: ``observe(_:read:parse:)`` is told the file's current version and reads it only when that changed, so
/// a bad file is reported once per change, not once per look. The kubelet rewrites a mounted Secret within about a
/// minute of its update; until a valid version appears, the last good value stays in use.
struct SecretFileState<Value> {
    /// What one look at the file found.
    enum Event: Equatable {
        /// Nothing new (or the same text rewritten).
        case unchanged
        /// New contents, now in use.
        case reloaded
        /// The file changed but cannot be used; the message names the problem, never the contents.
        case rejected(String)
    }

    /// The value in use.
    private(set) var value: Value
    private var text: String
    /// The version last examined, good or bad; nil until the first look, or after the file could not be examined.
    private var version: SecretFile.Version?
    /// Why the file could not be examined last time, so that a missing file is reported once.
    private var examineFailure: String?

    /// Starts with `text` (read at startup) and its `value`.
    init(text: String, value: Value) {
        self.text = text
        self.value = value
    }

    /// Takes in the file's `version` now; calls `read` and `parse` only when it differs from the last one examined.
    mutating func observe(
        _ version: Result<SecretFile.Version, ParseFailure>,
        read: () -> Result<String, ParseFailure>,
        parse: (String) -> Result<Value, ParseFailure>
    ) -> Event {
        let current: SecretFile.Version
        switch version {
        case .success(let examined):
            current = examined
        case .failure(let failure):
            self.version = nil
            if examineFailure == failure.message { return .unchanged }
            examineFailure = failure.message
            return .rejected(failure.message)
        }
        examineFailure = nil
        guard current != self.version else { return .unchanged }
        self.version = current
        let newText: String
        switch read() {
        case .success(let read): newText = read
        case .failure(let failure): return .rejected(failure.message)
        }
        guard newText != text else { return .unchanged }
        switch parse(newText) {
        case .success(let parsed):
            text = newText
            value = parsed
            return .reloaded
        case .failure(let failure):
            return .rejected(failure.message)
        }
    }
}
