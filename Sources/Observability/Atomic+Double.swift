import Synchronization

extension Atomic where Value == UInt64 {
    /// Reads the stored bit pattern as a `Double`.
    func loadDouble() -> Double {
        Double(bitPattern: load(ordering: .relaxed))
    }

    /// Stores `value`'s bit pattern.
    func storeDouble(_ value: Double) {
        store(value.bitPattern, ordering: .relaxed)
    }

    /// Adds `amount` to the stored `Double` with a compare-and-swap loop; there is no hardware float add.
    func addDouble(_ amount: Double) {
        var current = load(ordering: .relaxed)
        while true {
            let (exchanged, original) = compareExchange(
                expected: current,
                desired: (Double(bitPattern: current) + amount).bitPattern,
                ordering: .relaxed
            )
            if exchanged {
                return
            }
            current = original
        }
    }
}
