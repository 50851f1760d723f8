import Glibc
import IO
import Testing

@Suite struct EventLoopGroupTests {
    @Test func loopThreadsRunUnderBatchScheduling() async throws {
        let group = try EventLoopGroup(threadCount: 2)
        defer { group.shutdown() }
        var policies: [CInt] = []
        for loop in group.loops {
            // Asked on the loop's own thread: the policy of the calling thread.
            policies.append(await withCheckedContinuation { continuation in loop.execute { continuation.resume(returning: sched_getscheduler(0)) } })
        }
        let schedBatch: CInt = 3  // <sched.h> defines SCHED_BATCH only under _GNU_SOURCE, which Glibc's module lacks.
        #expect(policies == [schedBatch, schedBatch])
        #expect(group.batchSchedulingError == nil)
    }
}
