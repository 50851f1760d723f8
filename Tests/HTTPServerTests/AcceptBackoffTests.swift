import Testing

@testable import HTTPServer

@Suite struct AcceptBackoffTests {
    @Test func doublesFromFiveMillisecondsToOneSecondAndStartsOverAfterASuccess() {
        var backoff = AcceptBackoff()
        let delays = (0..<10).map { _ in backoff.next() }
        #expect(delays == [5, 10, 20, 40, 80, 160, 320, 640, 1000, 1000].map { Duration.milliseconds($0) })
        backoff.reset()
        #expect(backoff.next() == .milliseconds(5))
    }
}
