import Dispatch
public import Observability
import Synchronization

/// Collects what a ``LogSink`` writes, for assertions; optionally holds the writer until released.
public final class CapturedLines: Sendable {
    private let bytes = Mutex<[UInt8]>([])
    private let writeCalls = Atomic<Int>(0)
    private let holding: Atomic<Bool>
    private let entered = DispatchSemaphore(value: 0)
    private let released = DispatchSemaphore(value: 0)

    /// - Parameter holdWriter: When `true`, each write blocks after capturing until ``releaseWriter()``.
    public init(holdWriter: Bool = false) {
        holding = Atomic(holdWriter)
    }

    /// A sink that writes here.
    public func makeSink(capacityBytes: Int = 1 << 20) -> LogSink {
        LogSink(capacityBytes: capacityBytes) { [self] chunk in
            bytes.withLock { $0.append(contentsOf: chunk) }
            writeCalls.add(1, ordering: .relaxed)
            if holding.load(ordering: .acquiring) {
                entered.signal()
                released.wait()
            }
            return true
        }
    }

    /// Waits until the writer is inside the write closure; `false` after `seconds` without that.
    public func waitUntilWriterHeld(seconds: Int = 10) -> Bool {
        entered.wait(timeout: .now() + .seconds(seconds)) == .success
    }

    /// Lets the held write return and stops holding later ones.
    public func releaseWriter() {
        holding.store(false, ordering: .releasing)
        released.signal()
    }

    /// How many times the sink has called its write closure.
    public var writes: Int { writeCalls.load(ordering: .relaxed) }

    /// Every byte written so far.
    public var data: [UInt8] { bytes.withLock { $0 } }

    /// The complete lines written so far, without their newlines.
    public var lines: [[UInt8]] {
        let data = self.data
        precondition(data.isEmpty || data.last == UInt8(ascii: "\n"), "a write ended mid-line")
        return data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).dropLast().map(Array.init)
    }
}
