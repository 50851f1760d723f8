import App
import Glibc
import Lifecycle
import Observability

// A peer that goes away mid-response must cost an EPIPE, never the process.
signal(SIGPIPE, SIG_IGN)

let arguments = Array(CommandLine.arguments.dropFirst())
let code = await Command.run(arguments)
_ = LogSink.standardOutput.flush(timeout: .seconds(2))
exit(code)
