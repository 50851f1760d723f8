public import IO

/// When the post-termination delay ends, whichever of `/prestop` or SIGTERM started it.
///
/// The first trigger fixes the deadline; later triggers wait for the same one. So a preStop hook
/// followed by SIGTERM costs one delay, not two, and repeated hook deliveries are harmless.
public struct ShutdownDelay: Sendable, Hashable {
    /// How long to keep serving after termination begins.
    public let duration: Duration
    /// The end of the delay, once started.
    public private(set) var deadline: MonotonicInstant?

    /// Creates an unstarted delay of `duration`.
    public init(duration: Duration) {
        self.duration = duration
    }

    /// Starts the delay at `now` unless it already started; returns its deadline.
    public mutating func begin(now: MonotonicInstant) -> MonotonicInstant {
        if let deadline { return deadline }
        let deadline = now + duration
        self.deadline = deadline
        return deadline
    }

    /// How long is left at `now` (zero once passed or if never started).
    public func remaining(now: MonotonicInstant) -> Duration {
        deadline.map { $0.duration(since: now) } ?? .zero
    }
}
