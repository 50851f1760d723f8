import Testing

@testable import Postgres

@Suite struct FIFOQueueTests {
    @Test func keepsFirstInFirstOutAcrossCompactions() {
        var queue = FIFOQueue<Int>()
        var expected: [Int] = []
        var next = 0
        // Interleave pushes and pops so the head passes the compaction threshold many times.
        for round in 0..<200 {
            for _ in 0..<(round % 7 + 3) {
                queue.append(next)
                expected.append(next)
                next += 1
            }
            for _ in 0..<(round % 5 + 4) where !expected.isEmpty {
                let taken = queue.removeFirst()
                #expect(taken == expected.removeFirst())
            }
            #expect(queue.count == expected.count)
            #expect(queue.isEmpty == expected.isEmpty)
            #expect(queue.first == expected.first)
            #expect(Array(queue) == expected)
        }
        #expect(expected.isEmpty, "the last rounds pop more than they push, so the drained state is checked too")
    }

    @Test func removesAMatchingElementAnywhere() {
        var queue = FIFOQueue<Int>()
        for value in 0..<40 { queue.append(value) }
        for _ in 0..<35 { queue.removeFirst() }
        let middle = queue.removeFirst(where: { $0 == 37 })
        let head = queue.removeFirst(where: { $0 == 35 })
        let gone = queue.removeFirst(where: { $0 == 3 })
        #expect(middle && head)
        #expect(!gone, "already dequeued")
        #expect(Array(queue) == [36, 38, 39])
        queue.removeAll()
        #expect(queue.isEmpty && queue.first == nil && queue.count == 0)
        queue.append(1)
        #expect(Array(queue) == [1])
    }
}
