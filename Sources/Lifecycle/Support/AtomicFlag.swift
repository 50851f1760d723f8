import Synchronization

/// A boolean that escaping closures and child tasks can share (an `Atomic` itself cannot be captured by them).
public final class AtomicFlag: Sendable {
    private let value: Atomic<Bool>

    /// Creates the flag with `value`.
    public init(_ value: Bool = false) {
        self.value = Atomic(value)
    }

    /// The current value.
    public var isSet: Bool { value.load(ordering: .acquiring) }

    /// Sets the value.
    public func set(_ newValue: Bool = true) {
        value.store(newValue, ordering: .releasing)
    }
}
