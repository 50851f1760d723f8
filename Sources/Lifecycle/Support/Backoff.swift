import IO
/// Jittered exponential backoff: each delay doubles up to a cap, then a random part is taken off
/// ("equal jitter"), so replicas that lost the same dependency do not retry in lockstep.
public struct Backoff: Sendable {
    /// The first delay.
    public var initial: Duration
    /// The largest delay.
    public var maximum: Duration
    private var attempt = 0

    /// Creates a backoff starting at `initial` and capped at `maximum`.
    public init(initial: Duration = .milliseconds(100), maximum: Duration = .seconds(5)) {
        self.initial = initial
        self.maximum = maximum
    }

    /// The next delay; between half and all of the exponential value.
    public mutating func next() -> Duration {
        let exponent = min(attempt, 30)
        attempt += 1
        let full = min(Double(initial.nanoseconds) * Double(1 << exponent), Double(maximum.nanoseconds))
        return .nanoseconds(Int64(full / 2 + Double.random(in: 0...(full / 2))))
    }

    /// Starts over after a success.
    public mutating func reset() {
        attempt = 0
    }
}
