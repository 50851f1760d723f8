import Glibc

/// RFC 3339 timestamps in UTC with millisecond precision, such as `2026-11-21T06:00:00.123Z`.
///
/// The civil date comes from integer arithmetic (Howard Hinnant's `civil_from_days`), not `gmtime_r`,
/// so formatting takes no locks and reads no time zone data.
enum UTCTimestamp {
    /// Number of bytes every timestamp occupies.
    static let byteCount = 24

    /// Appends the current wall-clock time.
    static func appendNow(to output: inout [UInt8]) {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        append(seconds: Int(now.tv_sec), milliseconds: Int(now.tv_nsec) / 1_000_000, to: &output)
    }

    /// Appends the time `seconds` after the Unix epoch plus `milliseconds` (0...999).
    static func append(seconds: Int, milliseconds: Int, to output: inout [UInt8]) {
        let (days, secondOfDay) = floorDivide(seconds, 86_400)
        let (year, month, day) = civilDate(daysSinceEpoch: days)
        ASCII.appendPadded(year, width: 4, to: &output)
        output.append(UInt8(ascii: "-"))
        ASCII.appendPadded(month, width: 2, to: &output)
        output.append(UInt8(ascii: "-"))
        ASCII.appendPadded(day, width: 2, to: &output)
        output.append(UInt8(ascii: "T"))
        ASCII.appendPadded(secondOfDay / 3600, width: 2, to: &output)
        output.append(UInt8(ascii: ":"))
        ASCII.appendPadded(secondOfDay / 60 % 60, width: 2, to: &output)
        output.append(UInt8(ascii: ":"))
        ASCII.appendPadded(secondOfDay % 60, width: 2, to: &output)
        output.append(UInt8(ascii: "."))
        ASCII.appendPadded(milliseconds, width: 3, to: &output)
        output.append(UInt8(ascii: "Z"))
    }

    private static func floorDivide(_ value: Int, _ divisor: Int) -> (quotient: Int, remainder: Int) {
        let remainder = value % divisor
        return remainder < 0 ? (value / divisor - 1, remainder + divisor) : (value / divisor, remainder)
    }

    /// Proleptic Gregorian date for a day count relative to 1970-01-01.
    private static func civilDate(daysSinceEpoch: Int) -> (year: Int, month: Int, day: Int) {
        let shifted = daysSinceEpoch + 719_468  // days since 0000-03-01
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let marchMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * marchMonth + 2) / 5 + 1
        let month = marchMonth < 10 ? marchMonth + 3 : marchMonth - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
