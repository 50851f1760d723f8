/// One log line being formatted, for ``Logger/log(_:_:fields:)``'s field writer.
///
/// The bytes go into a buffer the logger provides on its stack, so a token costs one bounds check and a copy
/// rather than an array append per byte; the finished line is handed to the sink in one piece. A line longer
/// than the stack buffer moves to the heap and keeps growing.
public struct LogLine: ~Copyable {
    private var start: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private var count = 0
    private var ownsStorage = false

    /// Formats into `buffer`, which must outlive the line.
    init(buffer: UnsafeMutableBufferPointer<UInt8>) {
        start = buffer.baseAddress!
        capacity = buffer.count
    }

    deinit {
        if ownsStorage {
            start.deallocate()
        }
    }

    /// Calls `body` with the bytes written so far; the pointer is valid only inside `body`.
    borrowing func withBytes<Result>(_ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        body(UnsafeBufferPointer(start: start, count: count))
    }

    /// Appends `,"key":"value"` with `value` escaped; `key` is written as is (plain ASCII, no quotes or backslashes).
    public mutating func appendField(_ key: StaticString, _ value: String) {
        JSONText.writeField(key, value, to: &self)
    }

    /// Appends `,"key":value` for an integer.
    public mutating func appendField(_ key: StaticString, _ value: Int) {
        JSONText.writeField(key, value, to: &self)
    }

    /// Appends `,"key":value` for a double (a string for NaN and the infinities).
    public mutating func appendField(_ key: StaticString, _ value: Double) {
        JSONText.writeField(key, value, to: &self)
    }

    /// Appends `,"key":value` with `duration` in milliseconds, to the microsecond (`"duration_ms":12.345`).
    public mutating func appendField(_ key: StaticString, milliseconds duration: Duration) {
        JSONText.writeField(key, milliseconds: duration, to: &self)
    }

    /// Appends `,"key":"<hex>"` with `value` as 16 lowercase hex digits, or 32 with `low` after it: trace and span
    /// ids, written without building a string.
    public mutating func appendHexField(_ key: StaticString, _ value: UInt64, _ low: UInt64? = nil) {
        JSONText.writeHexField(key, value, low, to: &self)
    }

    /// Appends fields encoded earlier with ``JSONText``'s `appendField` functions: `,"key":value` pairs.
    ///
    /// For fields that repeat from line to line, such as a route's method and template: encoded once, copied per line.
    public mutating func appendEncodedFields(_ fields: [UInt8]) {
        appendBytes(fields)
    }

    @inline(never)
    private mutating func grow(toHold needed: Int) {
        let newCapacity = max(capacity * 2, needed)
        let storage = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        storage.initialize(from: start, count: count)
        if ownsStorage {
            start.deallocate()
        }
        start = storage
        capacity = newCapacity
        ownsStorage = true
    }
}

extension LogLine: ByteOutput {
    mutating func appendByte(_ byte: UInt8) {
        if count == capacity {
            grow(toHold: count + 1)
        }
        start[count] = byte
        count += 1
    }

    mutating func appendBytes(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let source = bytes.baseAddress else { return }
        if count + bytes.count > capacity {
            grow(toHold: count + bytes.count)
        }
        (start + count).initialize(from: source, count: bytes.count)
        count += bytes.count
    }
}
