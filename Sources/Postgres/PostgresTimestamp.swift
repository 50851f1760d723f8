import FoundationEssentials
import Observability

/// Conversions between `Date` and PostgreSQL's timestamp representations.
enum PostgresTimestamp {
    /// Microseconds from 1970-01-01 to 2000-01-01, PostgreSQL's epoch.
    static let postgresEpochOffset: Int64 = 946_684_800_000_000

    static func microseconds(of date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
    }

    /// The `Date` for a binary `timestamp`/`timestamptz` (microseconds since 2000-01-01 UTC).
    static func date(postgresMicroseconds value: Int64) -> Date {
        if value == .max { return .distantFuture }
        if value == .min { return .distantPast }
        let unix = value + postgresEpochOffset
        let seconds = unix.quotientAndRemainder(dividingBy: 1_000_000)
        return Date(timeIntervalSince1970: Double(seconds.quotient) + Double(seconds.remainder) / 1_000_000)
    }

    /// `YYYY-MM-DDTHH:MM:SS.ffffff+00`, with ` BC` for years before 1 (PostgreSQL's input syntax).
    static func isoText(microsecondsSince1970 value: Int64) -> String {
        let (days, microsecondOfDay) = CivilCalendar.floorDivide(Int(value), 86_400_000_000)
        let (year, month, day) = CivilCalendar.date(daysSince1970: days)
        let secondOfDay = microsecondOfDay / 1_000_000
        let fraction = microsecondOfDay % 1_000_000
        var text = ""
        text.reserveCapacity(32)
        append(year > 0 ? year : 1 - year, width: 4, to: &text)
        text += "-"
        append(month, width: 2, to: &text)
        text += "-"
        append(day, width: 2, to: &text)
        text += "T"
        append(secondOfDay / 3600, width: 2, to: &text)
        text += ":"
        append(secondOfDay / 60 % 60, width: 2, to: &text)
        text += ":"
        append(secondOfDay % 60, width: 2, to: &text)
        text += "."
        append(fraction, width: 6, to: &text)
        text += "+00"
        if year <= 0 { text += " BC" }
        return text
    }

    private static func append(_ value: Int, width: Int, to text: inout String) {
        let digits = String(value)
        if digits.utf8.count < width { text += String(repeating: "0", count: width - digits.utf8.count) }
        text += digits
    }
}
