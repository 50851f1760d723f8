import CIOShims
import Dispatch
import Glibc
import Synchronization

/// Where log lines go: a byte-bounded in-memory buffer drained by one background writer thread.
///
/// ``Logger`` callers, including event-loop threads, never wait for I/O: a formatted line is copied into the
/// buffer under a short lock, or dropped and counted in ``droppedLines`` when the buffer is full. The writer thread
/// sleeps on a semaphore while there is nothing to write and writes whole batches of lines at once.
/// The thread ends after the sink is released and its buffer is written.
public final class LogSink: Sendable {
    /// Writes to standard output (file descriptor 1), retrying on `EINTR`, `EAGAIN` and partial writes.
    public static let standardOutput = LogSink { bytes in
        FileDescriptorWriter.writeAll(bytes, to: STDOUT_FILENO)
    }

    private let writer: Writer

    /// Creates a sink and starts its writer thread.
    ///
    /// - Parameters:
    ///   - capacityBytes: The most bytes held at once, counting the batch being written. Defaults to 1 MiB.
    ///   - write: Called on the writer thread with one or more complete lines. Return `false` when the bytes
    ///     could not be written; their lines are then counted in ``droppedLines``.
    public init(capacityBytes: Int = 1 << 20, write: @escaping @Sendable (UnsafeRawBufferPointer) -> Bool) {
        precondition(capacityBytes > 0, "LogSink capacity must be positive")
        writer = Writer(capacityBytes: capacityBytes, write: write)
        Writer.startThread(writer)
    }

    deinit {
        writer.stop()
    }

    /// Lines lost because the buffer was full or the write closure failed.
    public var droppedLines: Int {
        writer.droppedLines.load(ordering: .relaxed)
    }

    /// Waits until every line accepted so far is written, for at most `timeout`; call it at shutdown.
    ///
    /// - Returns: `true` when the buffer drained in time.
    public func flush(timeout: Duration) -> Bool {
        writer.flush(timeout: timeout)
    }

    /// Buffers one complete line (ending in a newline), or drops and counts it when the buffer is full.
    func enqueue(_ line: UnsafeBufferPointer<UInt8>) {
        writer.enqueue(line)
    }

    /// Starts bringing the buffer's next bytes into cache; call it before formatting a line, so the copy into the
    /// buffer finds them there.
    func prepareForLine() {
        writer.prepareForLine()
    }
}

extension LogSink {
    /// The state shared by callers and the writer thread; the thread keeps it alive until it exits.
    final class Writer: Sendable {
        let droppedLines = Atomic<Int>(0)
        private let buffer: Mutex<LogBuffer>
        /// Where the next line will probably be copied, as an address: a hint, read without the lock.
        private let nextLineAddress = Atomic<UInt>(0)
        /// An access line is about 240 bytes.
        private static let prefetchBytes = 256
        private let wakeWriter = DispatchSemaphore(value: 0)
        private let drained = DispatchSemaphore(value: 0)
        private let write: @Sendable (UnsafeRawBufferPointer) -> Bool
        private static let coalescingMicroseconds: UInt32 = 10_000

        init(capacityBytes: Int, write: @escaping @Sendable (UnsafeRawBufferPointer) -> Bool) {
            buffer = Mutex(LogBuffer(capacityBytes: capacityBytes))
            self.write = write
        }

        static func startThread(_ writer: Writer) {
            var thread = pthread_t()
            let context = Unmanaged.passRetained(writer).toOpaque()
            let result = pthread_create(
                &thread,
                nil,
                { context in
                    // Otherwise it shows the name of whichever thread logged first.
                    cio_set_thread_name("log-writer")
                    Unmanaged<Writer>.fromOpaque(context!).takeRetainedValue().run()
                    return nil
                },
                context
            )
            precondition(result == 0, "cannot start the log writer thread (error \(result))")
            pthread_detach(thread)
        }

        func enqueue(_ line: UnsafeBufferPointer<UInt8>) {
            let (action, next) = buffer.withLock { buffer in (buffer.append(line), buffer.nextWriteAddress) }
            nextLineAddress.store(next, ordering: .relaxed)
            switch action {
            case .appended:
                break
            case .appendedWakeWriter:
                wakeWriter.signal()
            case .dropped:
                droppedLines.add(1, ordering: .relaxed)
            }
        }

        /// The buffer's tail is cold (a busy sink fills a new 100-300 KB stretch every 10 ms): copying a line into it
        /// leaves the unlock's locked instruction waiting for those stores to reach memory, the largest single part of
        /// what the access log costs. Prefetched while the line is formatted, the copy finds its lines in cache.
        func prepareForLine() {
            guard let address = UnsafeRawPointer(bitPattern: nextLineAddress.load(ordering: .relaxed)) else { return }
            cio_prefetch_for_write(address, Self.prefetchBytes)
        }

        func flush(timeout: Duration) -> Bool {
            let deadline = DispatchTime.now() + .nanoseconds(Self.nanoseconds(timeout))
            while true {
                if buffer.withLock({ $0.startFlushWait() }) {
                    return true
                }
                let result = drained.wait(timeout: deadline)
                // A wake-up may be stale (meant for a waiter that timed out), so re-check rather than trust it.
                if buffer.withLock({ $0.endFlushWait() }) {
                    return true
                }
                if result == .timedOut {
                    return false
                }
            }
        }

        func stop() {
            if buffer.withLock({ $0.stop() }) {
                wakeWriter.signal()
            }
        }

        private func run() {
            var chunk: [UInt8] = []
            while true {
                switch buffer.withLock({ $0.takeChunk(swappingWith: &chunk) }) {
                case .write:
                    if !chunk.withUnsafeBytes(write) {
                        droppedLines.add(chunk.count { $0 == UInt8(ascii: "\n") }, ordering: .relaxed)
                    }
                    chunk.removeAll(keepingCapacity: true)
                    let waiters = buffer.withLock { $0.chunkWritten() }
                    for _ in 0..<waiters {
                        drained.signal()
                    }
                case .sleep:
                    wakeWriter.wait()
                    // Let a burst gather before writing it: callers that find the writer awake skip the
                    // wake-up (a futex syscall and a context switch), so a busy service pays it about once
                    // per interval instead of once per line. 10 ms rather than 1: on a one-CPU pod each
                    // wake-up preempts a request (about 4 % of the CPU per request at 65k req/s), and
                    // 10 ms of lines (about 170 KB at that rate) fit the buffer many times over.
                    usleep(Self.coalescingMicroseconds)
                case .exit:
                    return
                }
            }
        }

        private static func nanoseconds(_ duration: Duration) -> Int {
            let (seconds, attoseconds) = duration.components
            guard seconds > 0 || (seconds == 0 && attoseconds > 0) else {
                return 0
            }
            let (whole, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
            let (total, carry) = whole.addingReportingOverflow(attoseconds / 1_000_000_000)
            return overflow || carry ? Int.max : Int(total)
        }
    }
}
