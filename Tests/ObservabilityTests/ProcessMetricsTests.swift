import Glibc
import Observability
import TestSupport
import Testing

@Suite struct ProcessMetricsTests {
    @Test func processMetricsArePresentAndPlausible() throws {
        let registry = MetricsRegistry()
        ProcessMetrics.register(into: registry)
        ProcessMetrics.register(into: registry)  // registering twice replaces, not duplicates
        let parsed = try StrictPrometheusParser(registry.render())
        #expect(
            parsed.families.map(\.name) == [
                "process_resident_memory_bytes", "process_virtual_memory_bytes", "process_open_fds", "process_max_fds",
                "process_start_time_seconds", "process_cpu_seconds_total",
            ])
        #expect(parsed.family("process_cpu_seconds_total")?.type == "counter")

        let resident = try #require(parsed.value("process_resident_memory_bytes"))
        let virtual = try #require(parsed.value("process_virtual_memory_bytes"))
        #expect(resident > 1_048_576)
        #expect(virtual >= resident)

        let openFDs = try #require(parsed.value("process_open_fds"))
        let maxFDs = try #require(parsed.value("process_max_fds"))
        #expect(openFDs >= 3)  // stdin, stdout, stderr at least
        #expect(maxFDs >= openFDs)

        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        let startTime = try #require(parsed.value("process_start_time_seconds"))
        #expect(startTime <= Double(now.tv_sec) + 1)
        #expect(startTime > Double(now.tv_sec) - 24 * 3600)

        let cpu = try #require(parsed.value("process_cpu_seconds_total"))
        #expect(cpu > 0)
        var spin = 0.0
        for index in 0..<20_000_000 {
            spin += Double(index & 7)
        }
        #expect(spin > 0)
        let later = try StrictPrometheusParser(registry.render())
        #expect(try #require(later.value("process_cpu_seconds_total")) > cpu)
    }

    @Test func openFileDescriptorsAreCountedLive() throws {
        let registry = MetricsRegistry()
        ProcessMetrics.register(into: registry)
        var fds: [Int32] = Array(repeating: -1, count: 64)
        for index in fds.indices {
            fds[index] = open("/dev/null", O_RDONLY | O_CLOEXEC)
        }
        defer {
            for fd in fds {
                close(fd)
            }
        }
        try #require(fds.allSatisfy { $0 >= 0 })
        let opened = try #require(try StrictPrometheusParser(registry.render()).value("process_open_fds"))
        #expect(opened >= 64 + 3)
    }
}
