import Glibc
import Synchronization
import TestSupport

/// Probes one path the way the kubelet does (a fresh connection per probe) from a thread of its own, back to back
/// with a 10 ms pause, so that what it measures is the server and not the test's task scheduling.
final class Prober: Sendable {
    /// One probe: the status (nil without an answer) and how long the answer took.
    struct Result: Sendable {
        let status: Int?
        let latency: Duration?
    }

    private let port: Int
    private let request: [UInt8]
    private let stopped = Atomic<Bool>(false)
    private let recorded = Recorder<Result>()

    init(port: Int, path: String) {
        self.port = port
        request = Array("GET \(path) HTTP/1.1\r\nHost: service\r\nConnection: close\r\n\r\n".utf8)
    }

    /// Every probe so far, in order.
    var results: [Result] { recorded.values }

    /// Probes until ``stop()``; blocks the calling thread (run it through ``Blocking/run(_:)``).
    func run() {
        while !stopped.load(ordering: .relaxed) {
            let started = ContinuousClock.now
            do {
                let client = try TCPClient(port: port)
                defer { client.close() }
                try client.sendNow(request, timeout: .seconds(2))
                let response = try client.readResponseNow(timeout: .seconds(2))
                recorded.append(Result(status: response.status, latency: ContinuousClock.now - started))
            } catch {
                recorded.append(Result(status: nil, latency: nil))
            }
            usleep(10_000)
        }
    }

    /// Makes ``run()`` return after its current probe.
    func stop() {
        stopped.store(true, ordering: .relaxed)
    }
}
