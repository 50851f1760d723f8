/// An external command failed; carries its output for the test report.
public struct ProcessFailure: Error, CustomStringConvertible {
    /// The command, or a short name for it.
    public let command: String
    /// What it printed.
    public let output: String

    /// Creates a failure of `command` that printed `output`.
    public init(command: String, output: String) {
        self.command = command
        self.output = output
    }

    public var description: String { "\(command) failed:\n\(output)" }
}
