import Glibc

/// The standard `process_*` metrics of Prometheus client libraries, read from `/proc` at scrape time.
public enum ProcessMetrics {
    /// Registers `process_resident_memory_bytes`, `process_virtual_memory_bytes`, `process_open_fds`,
    /// `process_max_fds`, `process_start_time_seconds` and `process_cpu_seconds_total`.
    ///
    /// Registering into the same registry again replaces the earlier readers.
    public static func register(into registry: MetricsRegistry) {
        registry.gauge("process_resident_memory_bytes", help: "Resident memory size in bytes.") {
            memoryPages(field: 1).map { $0 * pageSize } ?? .nan
        }
        registry.gauge("process_virtual_memory_bytes", help: "Virtual memory size in bytes.") {
            memoryPages(field: 0).map { $0 * pageSize } ?? .nan
        }
        registry.gauge("process_open_fds", help: "Number of open file descriptors.") {
            openFileDescriptors().map(Double.init) ?? .nan
        }
        registry.gauge("process_max_fds", help: "Maximum number of open file descriptors.") {
            var limit = rlimit()
            // RLIM_INFINITY is all ones; Swift cannot import its C definition `((rlim_t) -1)`.
            guard getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0 else {
                return .nan
            }
            return limit.rlim_cur == rlim_t.max ? .infinity : Double(limit.rlim_cur)
        }
        let startTime = startTimeSeconds() ?? .nan
        registry.gauge("process_start_time_seconds", help: "Start time of the process since unix epoch in seconds.") {
            startTime
        }
        registry.counter("process_cpu_seconds_total", help: "Total user and system CPU time spent in seconds.") {
            // getrusage has microsecond resolution; /proc/self/stat counts clock ticks (10 ms).
            var usage = rusage()
            guard getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage) == 0 else {
                return .nan
            }
            return seconds(usage.ru_utime) + seconds(usage.ru_stime)
        }
    }

    private static let pageSize = Double(sysconf(Int32(_SC_PAGESIZE)))

    private static func seconds(_ time: timeval) -> Double {
        Double(time.tv_sec) + Double(time.tv_usec) / 1_000_000
    }

    /// A field of `/proc/self/statm`, counted in pages: 0 is the virtual size, 1 the resident set.
    private static func memoryPages(field: Int) -> Double? {
        guard let statm = ProcFile.read("/proc/self/statm") else {
            return nil
        }
        return ProcFile.fields(statm).dropFirst(field).first.flatMap { ProcFile.integer($0) }.map(Double.init)
    }

    /// Counts `/proc/self/fd`, leaving out the descriptor the count itself has open.
    private static func openFileDescriptors() -> Int? {
        guard let directory = opendir("/proc/self/fd") else {
            return nil
        }
        defer { closedir(directory) }
        // Read the name's first byte in place: a record is only `d_reclen` bytes long, so copying `d_name` (a
        // 256-byte array) reads past the last record and faults when that lies at the end of readdir's buffer.
        let nameOffset = MemoryLayout<dirent>.offset(of: \dirent.d_name)!
        var count = 0
        while let entry = readdir(directory) {
            let isDotEntry = UnsafeRawPointer(entry).load(fromByteOffset: nameOffset, as: UInt8.self) == UInt8(ascii: ".")
            if !isDotEntry {
                count += 1
            }
        }
        return count - 1
    }

    /// Wall-clock start time: `starttime` (field 22 of `/proc/self/stat`, in clock ticks after boot)
    /// moved onto the Unix epoch through `CLOCK_BOOTTIME`, which counts from the same boot.
    private static func startTimeSeconds() -> Double? {
        guard let stat = ProcFile.read("/proc/self/stat"),
            let commandEnd = stat.lastIndex(of: UInt8(ascii: ")"))
        else {
            return nil
        }
        // Fields after the parenthesised command name start at field 3; the name itself may contain spaces.
        let fields = ProcFile.fields(stat[(commandEnd + 1)...])
        guard fields.count > 19, let startTicks = ProcFile.integer(fields[19]) else {
            return nil
        }
        var now = timespec()
        var sinceBoot = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        clock_gettime(CLOCK_BOOTTIME, &sinceBoot)
        let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))
        let bootTime =
            Double(now.tv_sec) - Double(sinceBoot.tv_sec)
            + Double(now.tv_nsec - sinceBoot.tv_nsec) / 1_000_000_000
        return bootTime + Double(startTicks) / ticksPerSecond
    }
}
