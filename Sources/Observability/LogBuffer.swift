/// The bookkeeping behind a ``LogSink``: a byte-bounded buffer shared by callers and one writer thread.
///
/// A pure value type: ``LogSink`` keeps it in a `Mutex` and does the waiting and writing after unlocking,
/// so every decision here is tested without threads.
struct LogBuffer {
    /// What a caller does after offering a line.
    enum AppendAction: Equatable {
        /// The line is buffered; the writer is awake and will find it.
        case appended
        /// The line is buffered and the writer sleeps: wake it.
        case appendedWakeWriter
        /// The buffer is full; the line is lost and must be counted.
        case dropped
    }

    /// What the writer thread does next.
    enum WriterAction: Equatable {
        /// Write the chunk just swapped out, then call ``chunkWritten()``.
        case write
        /// Nothing to write: sleep until woken.
        case sleep
        /// The sink is gone and everything is written: end the thread.
        case exit
    }

    /// The most bytes held at once, counting both buffered lines and the chunk being written.
    let capacityBytes: Int
    private var pending: [UInt8] = []
    private var inFlightBytes = 0
    private var writerSleeping = false
    private var stopping = false
    private var flushWaiters = 0

    init(capacityBytes: Int) {
        self.capacityBytes = capacityBytes
    }

    /// Whether every accepted line has been written.
    var isDrained: Bool {
        pending.isEmpty && inFlightBytes == 0
    }

    /// The address the next appended byte will occupy, unless the buffer grows or is swapped out first: a prefetch
    /// hint for callers about to append.
    var nextWriteAddress: UInt {
        pending.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) } + UInt(pending.count)
    }

    /// Buffers `line` if it fits.
    mutating func append(_ line: UnsafeBufferPointer<UInt8>) -> AppendAction {
        guard pending.count + inFlightBytes + line.count <= capacityBytes else {
            return .dropped
        }
        pending.append(contentsOf: line)
        if writerSleeping {
            writerSleeping = false
            return .appendedWakeWriter
        }
        return .appended
    }

    /// Hands the writer its next chunk by swapping the buffered bytes into the empty `chunk`.
    ///
    /// Swapping keeps both arrays' storage alive, so a busy sink stops allocating after warm-up.
    mutating func takeChunk(swappingWith chunk: inout [UInt8]) -> WriterAction {
        precondition(chunk.isEmpty && inFlightBytes == 0, "takeChunk called with a chunk still in flight")
        if !pending.isEmpty {
            swap(&pending, &chunk)
            inFlightBytes = chunk.count
            return .write
        }
        if stopping {
            return .exit
        }
        writerSleeping = true
        return .sleep
    }

    /// Records that the in-flight chunk is written; returns how many flush waiters to wake.
    mutating func chunkWritten() -> Int {
        inFlightBytes = 0
        return pending.isEmpty ? flushWaiters : 0
    }

    /// Registers a flush waiter unless everything is already written; returns `true` when drained.
    mutating func startFlushWait() -> Bool {
        if isDrained {
            return true
        }
        flushWaiters += 1
        return false
    }

    /// Unregisters a flush waiter after it woke or timed out; returns `true` when drained.
    mutating func endFlushWait() -> Bool {
        flushWaiters -= 1
        return isDrained
    }

    /// Tells the writer to exit once the buffer is written; returns `true` when it sleeps and must be woken.
    mutating func stop() -> Bool {
        stopping = true
        defer { writerSleeping = false }
        return writerSleeping
    }
}
