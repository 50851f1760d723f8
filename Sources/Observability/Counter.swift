import Synchronization

/// A monotonically increasing integer, such as requests served; lock-free.
///
/// Get one from ``MetricsRegistry/counter(_:help:labels:)`` once and keep it: incrementing is a single
/// atomic add, while the registry lookup takes a lock.
public final class Counter: Sendable {
    private let total = Atomic<Int>(0)
    private let prefix: [UInt8]

    init(prefix: [UInt8]) {
        self.prefix = prefix
    }

    /// Adds `amount`, which must not be negative: counters only go up.
    public func increment(by amount: Int = 1) {
        precondition(amount >= 0, "a counter cannot decrease")
        total.wrappingAdd(amount, ordering: .relaxed)
    }

    /// The current total.
    public var value: Int {
        total.load(ordering: .relaxed)
    }

    func render(into output: inout [UInt8]) {
        output.append(contentsOf: prefix)
        ASCII.appendInteger(value, to: &output)
        output.append(UInt8(ascii: "\n"))
    }
}
