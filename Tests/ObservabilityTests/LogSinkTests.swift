import FoundationEssentials
import Glibc
import Synchronization
import TestSupport
import Testing

@testable import Observability

@Suite struct LogSinkTests {
    @Test(.timeLimit(.minutes(1)))
    func fullBufferDropsAndCountsInsteadOfBlocking() throws {
        let capture = CapturedLines(holdWriter: true)
        let capacity = 1000
        let sink = capture.makeSink(capacityBytes: capacity)
        let logger = Logger(label: "full", sink: sink)
        func line(_ number: Int) -> String { "line \(1000 + number)" }  // fixed width, so every line is as long

        logger.info(line(0))
        try #require(capture.waitUntilWriterHeld())
        let lineLength = capture.data.count
        for number in 1...100 {
            logger.info(line(number))  // would hang here if logging waited for the writer
        }
        // The held line still counts against the capacity until it is written.
        let accepted = (capacity - lineLength) / lineLength
        #expect(accepted > 0 && accepted < 100)
        #expect(sink.droppedLines == 100 - accepted)

        capture.releaseWriter()
        #expect(sink.flush(timeout: .seconds(10)))
        let messages = try capture.lines.map { try StrictJSON.parse($0)["msg"] }
        #expect(messages == (0...accepted).map { .string(line($0)) })
        #expect(sink.droppedLines == 100 - accepted)
    }

    @Test func standardOutputSinkWritesToFileDescriptorOne() async throws {
        let result = await #expect(processExitsWith: .success, observing: [\.standardOutputContent]) {
            Logger(label: "stdout").notice("to stdout", ["n": 1])
            exit(LogSink.standardOutput.flush(timeout: .seconds(10)) ? EXIT_SUCCESS : EXIT_FAILURE)
        }
        let output = try #require(result).standardOutputContent
        let lines = output.split(separator: UInt8(ascii: "\n"))
        try #require(lines.count == 1 && output.last == UInt8(ascii: "\n"))
        let line = try StrictJSON.parse(lines[0])
        #expect(line.keys == ["ts", "level", "logger", "msg", "n"])
        #expect(line["msg"] == .string("to stdout"))
    }

    @Test func lineLargerThanCapacityIsDropped() {
        let capture = CapturedLines()
        let sink = capture.makeSink(capacityBytes: 64)
        Logger(label: "big", sink: sink).info(String(repeating: "x", count: 64))
        #expect(sink.flush(timeout: .seconds(10)))
        #expect(sink.droppedLines == 1)
        #expect(capture.data.isEmpty)
    }

    @Test func flushWaitsForEveryAcceptedLine() {
        let written = Mutex(0)
        let sink = LogSink { chunk in
            usleep(2000)  // a slow consumer, so flush has something to wait for
            written.withLock { $0 += chunk.count { $0 == UInt8(ascii: "\n") } }
            return true
        }
        let logger = Logger(label: "flush", sink: sink)
        for number in 0..<500 {
            logger.info("line", ["n": .int(number)])
        }
        #expect(sink.flush(timeout: .seconds(30)))
        #expect(written.withLock { $0 } == 500)
        #expect(sink.droppedLines == 0)
        #expect(sink.flush(timeout: .zero))
    }

    @Test(.timeLimit(.minutes(1)))
    func flushGivesUpAfterTheTimeout() throws {
        let capture = CapturedLines(holdWriter: true)
        let sink = capture.makeSink()
        Logger(label: "stuck", sink: sink).info("held")
        try #require(capture.waitUntilWriterHeld())
        let clock = ContinuousClock()
        let start = clock.now
        #expect(!sink.flush(timeout: .milliseconds(200)))
        let waited = clock.now - start
        #expect(waited >= .milliseconds(200) && waited < .seconds(5))
        capture.releaseWriter()
        #expect(sink.flush(timeout: .seconds(10)))
    }

    @Test func failedWritesCountTheirLinesAsDropped() {
        let sink = LogSink { _ in false }
        let logger = Logger(label: "broken", sink: sink)
        for _ in 0..<3 {
            logger.info("lost")
        }
        #expect(sink.flush(timeout: .seconds(10)))
        #expect(sink.droppedLines == 3)
    }

    @Test func linesLoggedBeforeTheSinkIsReleasedAreStillWritten() {
        let capture = CapturedLines()
        do {
            let logger = Logger(label: "scoped", sink: capture.makeSink())
            for _ in 0..<10 {
                logger.info("bye")
            }
        }
        // The released sink's writer thread drains its buffer and exits; poll briefly for the result.
        let deadline = ContinuousClock.now + .seconds(10)
        while capture.lines.count < 10 && ContinuousClock.now < deadline {
            usleep(1000)
        }
        #expect(capture.lines.count == 10)
    }

    @Test func concurrentLoggersInterleaveWholeLines() async throws {
        let capture = CapturedLines()
        let sink = capture.makeSink(capacityBytes: 16 << 20)
        let logger = Logger(label: "many", sink: sink)
        await withTaskGroup { group in
            for task in 0..<8 {
                group.addTask {
                    for number in 0..<1000 {
                        logger.info("concurrent", ["task": .int(task), "n": .int(number)])
                    }
                }
            }
        }
        #expect(sink.flush(timeout: .seconds(30)))
        #expect(sink.droppedLines == 0)
        let lines = try capture.lines.map { try StrictJSON.parse($0) }
        #expect(lines.count == 8000)
        for task in 0..<8 {
            let numbers = lines.filter { $0["task"] == .number("\(task)") }.map { $0["n"] }
            #expect(numbers == (0..<1000).map { .number("\($0)") })
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func fileDescriptorWriterHandlesPartialWritesAndEAGAIN() async throws {
        var fds: [Int32] = [0, 0]
        try #require(pipe(&fds) == 0)
        let (readEnd, writeEnd) = (fds[0], fds[1])
        defer { close(readEnd) }
        // A small non-blocking pipe: writes come back partial, then with EAGAIN until the reader catches up.
        let setPipeSize: Int32 = 1024 + 7  // F_SETPIPE_SZ, which Glibc's module map does not export
        #expect(fcntl(writeEnd, setPipeSize, 4096) >= 4096)
        #expect(fcntl(writeEnd, F_SETFL, fcntl(writeEnd, F_GETFL) | O_NONBLOCK) == 0)
        let payload = (0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31) }

        // Reader and writer each block on a thread of their own: on the two-thread global pool, a busy suite
        // could leave the reader without a thread while the writer waits for it.
        let reader = Task {
            try await Blocking.run {
                var received: [UInt8] = []
                var buffer = [UInt8](repeating: 0, count: 1000)
                while true {
                    let count = buffer.withUnsafeMutableBytes { read(readEnd, $0.baseAddress, $0.count) }
                    if count <= 0 && !(count < 0 && errno == EINTR) {
                        break
                    }
                    if count > 0 {
                        received.append(contentsOf: buffer[..<count])
                    }
                }
                return received
            }
        }
        let ok = try await Blocking.run {
            defer { close(writeEnd) }
            return payload.withUnsafeBytes { FileDescriptorWriter.writeAll($0, to: writeEnd) }
        }
        #expect(ok)
        #expect(try await reader.value == payload)
    }

    @Test func writerThreadIsNamed() {
        // Asked from inside the write closure, which runs on this sink's own writer thread.
        let writerName = Mutex<String?>(nil)
        let sink = LogSink { _ in
            let name = try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)
            writerName.withLock { $0 = name.map { String($0.prefix { $0 != "\n" }) } }
            return true
        }
        Logger(label: "test", sink: sink).info("started")
        #expect(sink.flush(timeout: .seconds(10)))
        #expect(writerName.withLock { $0 } == "log-writer")
    }

    @Test func fileDescriptorWriterReportsHardErrors() {
        let ok = [UInt8]("x\n".utf8).withUnsafeBytes { FileDescriptorWriter.writeAll($0, to: -1) }
        #expect(!ok)
    }
}

extension LogBuffer {
    fileprivate mutating func append(_ line: [UInt8]) -> AppendAction {
        line.withUnsafeBufferPointer { append($0) }
    }
}

@Suite struct LogBufferTests {
    private let line = [UInt8](repeating: UInt8(ascii: "a"), count: 10)

    @Test func boundsBufferedAndInFlightBytesTogether() {
        var buffer = LogBuffer(capacityBytes: 25)
        var chunk: [UInt8] = []
        let filling = [buffer.append(line), buffer.append(line), buffer.append(line)]
        #expect(filling == [.appended, .appended, .dropped])
        let take = buffer.takeChunk(swappingWith: &chunk)
        #expect(take == .write && chunk.count == 20)
        // 20 bytes are in flight: only 5 are free until the chunk is written.
        let whileWriting = buffer.append(line)
        #expect(whileWriting == .dropped)
        let waiters = buffer.chunkWritten()
        #expect(waiters == 0)
        let afterWrite = [buffer.append(line), buffer.append(line)]
        #expect(afterWrite == [.appended, .appended])
    }

    @Test func nextWriteAddressIsTheEndOfTheBufferedBytes() {
        var buffer = LogBuffer(capacityBytes: 100)
        _ = buffer.append(line)
        let hint = buffer.nextWriteAddress
        var chunk: [UInt8] = []
        let take = buffer.takeChunk(swappingWith: &chunk)
        // Swapping hands the writer the same storage: the hint pointed just past the line in it.
        let end = chunk.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) } + UInt(line.count)
        #expect(take == .write && hint == end)
    }

    @Test func sleepingWriterIsWokenOnce() {
        var buffer = LogBuffer(capacityBytes: 100)
        var chunk: [UInt8] = []
        let idle = buffer.takeChunk(swappingWith: &chunk)
        #expect(idle == .sleep)
        let appends = [buffer.append(line), buffer.append(line)]
        #expect(appends == [.appendedWakeWriter, .appended])
        let take = buffer.takeChunk(swappingWith: &chunk)
        #expect(take == .write)
    }

    @Test func flushWaitersAreWokenWhenDrained() {
        var buffer = LogBuffer(capacityBytes: 100)
        var chunk: [UInt8] = []
        let emptyIsDrained = buffer.startFlushWait()
        #expect(emptyIsDrained)
        _ = buffer.append(line)
        let waits = [buffer.startFlushWait(), buffer.startFlushWait()]
        #expect(waits == [false, false])
        _ = buffer.takeChunk(swappingWith: &chunk)
        _ = buffer.append(line)
        let wokenWhilePending = buffer.chunkWritten()
        #expect(wokenWhilePending == 0)
        chunk.removeAll()
        _ = buffer.takeChunk(swappingWith: &chunk)
        let wokenWhenDrained = buffer.chunkWritten()
        #expect(wokenWhenDrained == 2)
        let ends = [buffer.endFlushWait(), buffer.endFlushWait()]
        #expect(ends == [true, true])
    }

    @Test func stopDrainsThenExits() {
        var buffer = LogBuffer(capacityBytes: 100)
        var chunk: [UInt8] = []
        _ = buffer.append(line)
        let wakeBusy = buffer.stop()
        let takes = [buffer.takeChunk(swappingWith: &chunk)]
        _ = buffer.chunkWritten()
        chunk.removeAll()
        let afterDrain = buffer.takeChunk(swappingWith: &chunk)
        #expect(!wakeBusy && takes == [.write] && afterDrain == .exit)

        var idle = LogBuffer(capacityBytes: 100)
        let sleeps = idle.takeChunk(swappingWith: &chunk)
        let wakeIdle = idle.stop()
        let exits = idle.takeChunk(swappingWith: &chunk)
        #expect(sleeps == .sleep && wakeIdle && exits == .exit)
    }
}
