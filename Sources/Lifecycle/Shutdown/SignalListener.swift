import Dispatch
import Glibc

/// Delivers the signals of ``SignalPolicy/dispositions`` as an async sequence instead of an asynchronous signal
/// handler.
public final class SignalListener: @unchecked Sendable {
    /// The signals, in arrival order.
    public let signals: AsyncStream<Int32>
    // Kept only to keep the sources alive; never touched after init.
    private let sources: [any DispatchSourceSignal]

    /// Starts listening for every signal ``SignalPolicy`` handles; their default action (most end the process) is
    /// disabled.
    public init() {
        let (stream, continuation) = AsyncStream<Int32>.makeStream()
        signals = stream
        let queue = DispatchQueue(label: "signals")
        sources = SignalPolicy.dispositions.keys.sorted().map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { continuation.yield(number) }
            source.resume()
            return source
        }
    }
}
