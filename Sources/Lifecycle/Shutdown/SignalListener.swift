import Dispatch
import Glibc

/// Delivers SIGTERM and SIGINT as an async sequence instead of an asynchronous signal handler.
public final class SignalListener: @unchecked Sendable {
    /// The signals, in arrival order.
    public let signals: AsyncStream<Int32>
    // Kept only to keep the sources alive; never touched after init.
    private let sources: [any DispatchSourceSignal]

    /// Starts listening for SIGTERM and SIGINT; their default action (exit) is disabled.
    public init() {
        let numbers = [SIGTERM, SIGINT]
        let (stream, continuation) = AsyncStream<Int32>.makeStream()
        signals = stream
        let queue = DispatchQueue(label: "signals")
        sources = numbers.map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { continuation.yield(number) }
            source.resume()
            return source
        }
    }

    /// The conventional name of a signal number.
    public static func name(_ number: Int32) -> String {
        switch number {
        case SIGTERM: "SIGTERM"
        case SIGINT: "SIGINT"
        default: "signal \(number)"
        }
    }
}
