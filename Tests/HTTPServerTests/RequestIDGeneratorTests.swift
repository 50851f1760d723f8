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

    @Test func hexWritesEveryDigitOfAnyNumber() {
        #expect(RequestIDGenerator.hex(0) == "0")
        #expect(RequestIDGenerator.hex(0x1234_5678_9abc_def0) == "123456789abcdef0")
        #expect(RequestIDGenerator.hex(.max) == "ffffffffffffffff")
        #expect(RequestIDGenerator.hex(0xa, after: Array("x-".utf8)) == "x-a")
    }
}
