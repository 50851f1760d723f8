import Testing

@testable import HTTPServer

@Suite struct RequestIDGeneratorTests {
    @Test func idsArePrefixDashCounterInHex() {
        let ids = RequestIDGenerator(prefix: 0xbeef)
        let first = (1...17).map { _ in ids.next() }
        #expect(first.prefix(3) == ["beef-1", "beef-2", "beef-3"])
        #expect(first[14] == "beef-f")
        #expect(first[15] == "beef-10")
        #expect(RequestIDGenerator(prefix: 0).next() == "0-1")
        #expect(RequestIDGenerator(prefix: .max).next() == "ffffffff-1")
    }

    @Test func concurrentCallersNeverShareAnID() async {
        /// Shared the way the server shares it: a `let` in a `Sendable` class.
        final class Holder: Sendable { let ids = RequestIDGenerator(prefix: 1) }
        let holder = Holder()
        let taken = await withTaskGroup(of: [String].self) { group in
            for _ in 0..<8 { group.addTask { (0..<5_000).map { _ in holder.ids.next() } } }
            return await group.reduce(into: [String]()) { $0 += $1 }
        }
        #expect(taken.count == 40_000)
        #expect(Set(taken).count == 40_000)
        #expect(Set(taken) == Set((1...40_000).map { "1-" + String($0, radix: 16) }))
    }

    @Test func hexWritesEveryDigitOfAnyNumber() {
        #expect(RequestIDGenerator.hex(0) == "0")
        #expect(RequestIDGenerator.hex(0x1234_5678_9abc_def0) == "123456789abcdef0")
        #expect(RequestIDGenerator.hex(.max) == "ffffffffffffffff")
        #expect(RequestIDGenerator.hex(0xa, after: Array("x-".utf8)) == "x-a")
    }
}
