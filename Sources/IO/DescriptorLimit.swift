import Glibc

/// The process's open-file limit (`RLIMIT_NOFILE`).
public enum DescriptorLimit {
    /// Raises the soft limit to the hard one, as Go's runtime does at startup, and returns the soft limit now in force.
    ///
    /// Container runtimes often start processes with a low soft limit (1024) under a high hard one; a server that
    /// keeps the soft limit runs out of descriptors long before its connection limit. Where the hard limit is
    /// unlimited the kernel refuses it (`fs.nr_open`), and the soft limit stays as it was.
    @discardableResult
    public static func raiseSoftToHard() -> Int {
        var limit = rlimit()
        guard getrlimit(CInt(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 0 }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            if setrlimit(CInt(RLIMIT_NOFILE.rawValue), &raised) == 0 { limit = raised }
        }
        return limit.rlim_cur > rlim_t(Int.max) ? Int.max : Int(limit.rlim_cur)
    }
}
