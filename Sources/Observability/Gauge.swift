import Synchronization

/// A value that goes up and down, such as connections in use; lock-free.
///
/// The `Double` lives in an atomic as its bit pattern; increments use a compare-and-swap loop.
public final class Gauge: Sendable {
    private let bits = Atomic<UInt64>(0)
    private let prefix: [UInt8]

    init(prefix: [UInt8]) {
        self.prefix = prefix
    }

    /// Replaces the value.
    public func set(_ value: Double) {
        bits.storeDouble(value)
    }

    /// Adds `amount`.
    public func increment(by amount: Double = 1) {
        bits.addDouble(amount)
    }

    /// Subtracts `amount`.
    public func decrement(by amount: Double = 1) {
        bits.addDouble(-amount)
    }

    /// The current value.
    public var value: Double {
        bits.loadDouble()
    }

    func render(into output: inout [UInt8]) {
        output.append(contentsOf: prefix)
        PrometheusText.appendValue(value, to: &output)
        output.append(UInt8(ascii: "\n"))
    }
}
