import Glibc

/// RFC 3339 timestamps in UTC with millisecond precision, such as `2026-11-21T06:00:00.123Z`.
///
/// The civil date comes from ``CivilCalendar``, so formatting takes no locks and reads no time zone data.
enum UTCTimestamp {
    /// Number of bytes every timestamp occupies.
    static let byteCount = 24

    /// Appends the current wall-clock time.
    static func appendNow<Output: ByteOutput & ~Copyable>(to output: inout Output) {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        append(seconds: Int(now.tv_sec), milliseconds: Int(now.tv_nsec) / 1_000_000, to: &output)
    }

    /// Appends the time `seconds` after the Unix epoch plus `milliseconds` (0...999), for years 0...9999.
    static func append<Output: ByteOutput & ~Copyable>(seconds: Int, milliseconds: Int, to output: inout Output) {
        let (days, secondOfDay) = CivilCalendar.floorDivide(seconds, 86_400)
        let (year, month, day) = CivilCalendar.date(daysSince1970: days)
        // Fill a fixed-size template and append it once: one capacity check instead of twenty-four.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: byteCount) { text in
            _ = text.initialize(from: "0000-00-00T00:00:00.000Z".utf8)
            func put(_ value: Int, at start: Int, digits: Int) {
                var remaining = value
                for index in (start..<start + digits).reversed() {
                    text[index] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: remaining % 10)
                    remaining /= 10
                }
            }
            put(year, at: 0, digits: 4)
            put(month, at: 5, digits: 2)
            put(day, at: 8, digits: 2)
            put(secondOfDay / 3600, at: 11, digits: 2)
            put(secondOfDay / 60 % 60, at: 14, digits: 2)
            put(secondOfDay % 60, at: 17, digits: 2)
            put(milliseconds, at: 20, digits: 3)
            output.appendBytes(UnsafeBufferPointer(text))
        }
    }
}
