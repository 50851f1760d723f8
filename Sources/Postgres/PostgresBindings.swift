/// The parameters of one query (`$1`, `$2`, …), encoded into one buffer.
///
/// Values are sent in text format, so the server converts them to whatever type the statement expects
/// (an `Int64` binds to an `int4` column); `bytea` goes in binary to avoid hex encoding.
public struct PostgresBindings: Sendable {
    struct Slot: Sendable {
        /// Start of the value in `bytes`; text values are followed by a NUL byte.
        var offset: Int32
        /// Length in bytes, or -1 for NULL.
        var length: Int32
        var isBinary: Bool
    }

    private(set) var bytes: [UInt8] = []
    private(set) var slots: [Slot] = []
    /// Set when a text value contains a NUL byte, which the protocol cannot carry in text format.
    private(set) var hasInvalidText = false

    /// Creates an empty parameter list.
    public init() {}

    /// Creates the list `$1`, `$2`, … from `parameters`, in order.
    public init<each Parameter: PostgresBindable>(_ parameters: repeat each Parameter) {
        repeat append(each parameters)
    }

    /// Creates an empty list with room for `count` parameters of about `bytesPerValue` bytes each.
    public init(capacity count: Int, bytesPerValue: Int = 16) {
        slots.reserveCapacity(count)
        bytes.reserveCapacity(count * bytesPerValue)
    }

    /// The number of parameters.
    public var count: Int { slots.count }

    /// Appends `value` as the next parameter.
    public mutating func append(_ value: some PostgresBindable) {
        value.bind(into: &self)
    }

    /// Appends SQL NULL.
    public mutating func appendNull() {
        slots.append(Slot(offset: 0, length: -1, isBinary: false))
    }

    /// Appends a value in PostgreSQL's text input syntax for the parameter's type.
    public mutating func appendText(_ text: some StringProtocol) {
        let offset = Int32(bytes.count)
        let utf8 = text.utf8
        if utf8.withContiguousStorageIfAvailable({ bytes.append(contentsOf: $0) }) == nil {
            bytes.append(contentsOf: utf8)
        }
        if !hasInvalidText, bytes[Int(offset)...].contains(0) { hasInvalidText = true }
        bytes.append(0)
        slots.append(Slot(offset: offset, length: Int32(bytes.count) - offset - 1, isBinary: false))
    }

    /// Appends a value in the parameter type's binary wire format.
    public mutating func appendBinary(_ value: some Collection<UInt8>) {
        let offset = Int32(bytes.count)
        bytes.append(contentsOf: value)
        slots.append(Slot(offset: offset, length: Int32(bytes.count) - offset, isBinary: true))
    }

    /// Calls `body` with the C arrays `PQsendQueryParams` and `PQsendQueryPrepared` take.
    func withParameterArrays<Result>(
        _ body: (
            _ count: Int32,
            _ values: UnsafePointer<UnsafePointer<CChar>?>?,
            _ lengths: UnsafePointer<Int32>?,
            _ formats: UnsafePointer<Int32>?
        ) throws -> Result
    ) rethrows -> Result {
        let count = slots.count
        if count == 0 { return try body(0, nil, nil, nil) }
        return try bytes.withUnsafeBytes { storage in
            try withUnsafeTemporaryAllocation(of: UnsafePointer<CChar>?.self, capacity: count) { values in
                try withUnsafeTemporaryAllocation(of: Int32.self, capacity: 2 * count) { lengthsAndFormats in
                    // A zero-length value still needs a non-NULL pointer, or libpq sends NULL.
                    let empty = UnsafeRawPointer(("" as StaticString).utf8Start).assumingMemoryBound(to: CChar.self)
                    let base =
                        storage.baseAddress.map { UnsafePointer($0.assumingMemoryBound(to: CChar.self)) } ?? empty
                    for (index, slot) in slots.enumerated() {
                        values[index] = slot.length < 0 ? nil : (slot.length == 0 ? empty : base + Int(slot.offset))
                        lengthsAndFormats[index] = max(slot.length, 0)
                        lengthsAndFormats[count + index] = slot.isBinary ? 1 : 0
                    }
                    let pointer = UnsafePointer(lengthsAndFormats.baseAddress!)
                    return try body(Int32(count), UnsafePointer(values.baseAddress!), pointer, pointer + count)
                }
            }
        }
    }
}
