import Glibc
import Synchronization

/// The `Date` header value (RFC 9110 §5.6.7), formatted at most once per second for the whole process.
enum DateCache {
    private struct Cached {
        var second = -1
        var value: [UInt8] = []
    }

    private static let cache = Mutex(Cached())
    private static let weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// Appends the current IMF-fixdate to `buffer`.
    static func append(to buffer: inout [UInt8]) {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME_COARSE, &now)
        let second = now.tv_sec
        cache.withLock { cached in
            if cached.second != second {
                cached.second = second
                cached.value = format(second)
            }
            buffer.append(contentsOf: cached.value)
        }
    }

    static func format(_ seconds: Int) -> [UInt8] {
        var time = seconds
        var parts = tm()
        gmtime_r(&time, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let text = "\(weekdays[Int(parts.tm_wday)]), \(two(parts.tm_mday)) \(months[Int(parts.tm_mon)]) \(parts.tm_year + 1900) "
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) GMT"
        return Array(text.utf8)
    }
}
