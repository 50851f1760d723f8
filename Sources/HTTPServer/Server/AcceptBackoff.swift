/// How long a listener stops accepting after `accept` fails for want of resources: 5 ms, doubling to 1 s (Go's
/// `net/http` schedule), back to 5 ms once an accept succeeds.
///
/// The listener stays readable while `accept` fails with `EMFILE`, so without a pause every loop would spin on it.
struct AcceptBackoff: Equatable {
    static let initial: Duration = .milliseconds(5)
    static let maximum: Duration = .seconds(1)

    private var current: Duration?

    /// The next pause: the first after a success is ``initial``, each following one twice the last, at most ``maximum``.
    mutating func next() -> Duration {
        let delay = current.map { min($0 * 2, Self.maximum) } ?? Self.initial
        current = delay
        return delay
    }

    /// An accept succeeded: the next failure pauses for ``initial`` again.
    mutating func reset() {
        current = nil
    }
}
