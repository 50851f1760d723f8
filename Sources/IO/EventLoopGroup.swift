import CIOShims
import Glibc
import Synchronization

/// A fixed set of ``EventLoop``s, each on its own thread.
public final class EventLoopGroup: Sendable {
    /// The loops, in index order.
    public let loops: [EventLoop]
    /// Why the loop threads run under the default policy instead of `SCHED_BATCH` (a seccomp profile or a runtime
    /// that forbids `sched_setscheduler`), or nil when every loop got it; the last refusal if several. Worth a warning:
    /// without it handlers are preempted by every request that arrives while they run.
    public let batchSchedulingError: IOError?
    private let threads: Mutex<[pthread_t]>
    private let nextIndex = Atomic<Int>(0)

    /// Starts `threadCount` loops, each on a thread named `io-N` under `SCHED_BATCH`.
    public init(threadCount: Int) throws(IOError) {
        precondition(threadCount > 0, "an EventLoopGroup needs at least one thread")
        var loops: [EventLoop] = []
        for index in 0..<threadCount { loops.append(try EventLoop(index: index)) }
        self.loops = loops
        var threads: [pthread_t] = []
        var schedulingError: IOError?
        for loop in loops {
            let thread: pthread_t
            do {
                thread = try Self.startThread(name: "io-\(loop.index)") { loop.run() }
            } catch {
                // The loops already running would otherwise spin on forever with nobody to stop them.
                for (started, thread) in zip(loops, threads) {
                    started.requestStop()
                    pthread_join(thread, nil)
                }
                throw error
            }
            threads.append(thread)
            // Without it, every request arriving while a handler runs on the same CPU preempts the handler:
            // handlers then answer two or three requests per context switch instead of all that are ready, and
            // context switches take a large share of the CPU (docs/BENCHMARKS.md). Set from here rather than by
            // the loop itself so the outcome is known when `init` returns.
            let result = cio_set_batch_scheduling(thread)
            if result != 0 { schedulingError = IOError(errno: result, operation: "pthread_setschedparam(SCHED_BATCH)") }
        }
        self.threads = Mutex(threads)
        batchSchedulingError = schedulingError
    }

    /// The next loop, round-robin.
    public func next() -> EventLoop {
        loops[nextIndex.wrappingAdd(1, ordering: .relaxed).oldValue % loops.count]
    }

    /// Stops every loop and waits for its thread to finish. Idempotent.
    public func shutdown() {
        for loop in loops { loop.requestStop() }
        let threads = self.threads.withLock { threads in
            defer { threads.removeAll() }
            return threads
        }
        for thread in threads { pthread_join(thread, nil) }
    }

    private final class ThreadBody {
        let name: String
        let body: () -> Void
        init(name: String, body: @escaping () -> Void) {
            self.name = name
            self.body = body
        }
    }

    /// Starts a detached-from-Swift pthread; the loops must not run on Swift's cooperative pool.
    static func startThread(name: String, _ body: @escaping () -> Void) throws(IOError) -> pthread_t {
        let context = Unmanaged.passRetained(ThreadBody(name: name, body: body)).toOpaque()
        var thread = pthread_t()
        let result = pthread_create(
            &thread,
            nil,
            { raw in
                let body = Unmanaged<ThreadBody>.fromOpaque(raw!).takeRetainedValue()
                cio_set_thread_name(body.name)
                body.body()
                return nil
            },
            context
        )
        guard result == 0 else {
            Unmanaged<ThreadBody>.fromOpaque(context).release()
            throw IOError(errno: result, operation: "pthread_create")
        }
        return thread
    }
}
