import CIOShims
import Glibc

/// How many CPUs this process may actually use: the container's CPU quota and affinity, not the host's cores.
public enum CPUCount {
    /// The usable CPU count: the cgroup quota (v2 `cpu.max` or v1 `cpu.cfs_quota_us`) rounded up,
    /// capped by the affinity mask (`taskset`, cpusets); at least 1.
    public static func usable() -> Int {
        let affinity = Int(cio_affinity_cpu_count())
        let online = affinity > 0 ? affinity : max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        guard let quota = cgroupQuota() else { return online }
        return max(1, min(online, Int(quota.rounded(.up))))
    }

    /// The cgroup CPU quota in CPUs, or nil when unlimited or unknown.
    static func cgroupQuota() -> Double? {
        if let text = readFile("/sys/fs/cgroup/cpu.max") {
            return parseCPUMax(text)
        }
        if let quota = readFile("/sys/fs/cgroup/cpu/cpu.cfs_quota_us"),
            let period = readFile("/sys/fs/cgroup/cpu/cpu.cfs_period_us")
        {
            return parseCFS(quota: quota, period: period)
        }
        return nil
    }

    /// Parses cgroup v2 `cpu.max` ("max 100000" or "150000 100000").
    static func parseCPUMax(_ text: String) -> Double? {
        let fields = text.split(whereSeparator: { $0 == " " || $0 == "\n" })
        guard fields.count >= 2, fields[0] != "max", let quota = Double(fields[0]), let period = Double(fields[1]),
            quota > 0, period > 0
        else { return nil }
        return quota / period
    }

    /// Parses cgroup v1 `cpu.cfs_quota_us` and `cpu.cfs_period_us` (quota -1 means unlimited).
    static func parseCFS(quota: String, period: String) -> Double? {
        guard let quota = Double(quota.filter { !$0.isWhitespace }), let period = Double(period.filter { !$0.isWhitespace }),
            quota > 0, period > 0
        else { return nil }
        return quota / period
    }

    private static func readFile(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: 256)
        let count = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard count > 0 else { return nil }
        return String(decoding: bytes[..<count], as: UTF8.self)
    }
}
