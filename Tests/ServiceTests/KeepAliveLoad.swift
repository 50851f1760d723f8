import Glibc
import Synchronization
import TestSupport

/// Steady load over keep-alive connections, each client on a thread of its own, behaving like a real HTTP client:
/// it reuses its connection, reconnects when the server closes it (after `Connection: close`, or cleanly while
/// idle), and stops when a connect is refused once the pod may be gone.
///
/// What counts as a failure is decided from kube-proxy's point of view; see
/// ``LoadTests/steadyKeepAliveLoadThroughSigtermLosesNothing()``.
final class KeepAliveLoad: Sendable {
    /// How a connection ended.
    enum ConnectionEnd: Sendable, Hashable {
        /// A response said `Connection: close`, and the client closed.
        case closeResponse
        /// The server closed while the connection was idle between requests.
        case cleanClose
        /// A request on it got no complete answer.
        case failed
    }

    /// A request that got no complete 200, or a refused connect.
    struct Failure: Sendable, CustomStringConvertible {
        let description: String
        /// When the connection the request went out on was opened; nil for a connect that failed.
        let connectedAt: ContinuousClock.Instant?
    }

    /// What one client saw.
    struct Report: Sendable {
        var connectionsOpened = 0
        var connectionEnds: [ConnectionEnd] = []
        var responses = 0
        /// Answered requests that were sent after SIGTERM.
        var responsesAfterSignal = 0
        var failures: [Failure] = []
        /// When a connect was not taken (refused, or reset by the listener's close) after the shutdown delay: the
        /// client's last event.
        var podGoneAt: ContinuousClock.Instant?
    }

    private let port: Int
    private let request: [UInt8]
    private let shutdownDelay: Duration
    private let pacing: Duration
    private let signalledAt = Mutex<ContinuousClock.Instant?>(nil)
    private let stopped = Atomic<Bool>(false)
    /// Keep-alive responses each client got on its first connection.
    private let keepAliveResponses: Mutex<[Int]>

    init(port: Int, clients: Int, request: String, shutdownDelay: Duration, pacing: Duration) {
        self.port = port
        self.request = Array(request.utf8)
        self.shutdownDelay = shutdownDelay
        self.pacing = pacing
        keepAliveResponses = Mutex([Int](repeating: 0, count: clients))
    }

    /// The fewest keep-alive responses any client has had on its first connection.
    var fewestKeepAliveResponses: Int { keepAliveResponses.withLock { $0.min() ?? 0 } }

    /// Runs every client until it sees the pod go (or ``stop()``); returns their reports.
    func run() async -> [Report] {
        let count = keepAliveResponses.withLock { $0.count }
        return await withTaskGroup(of: Report.self) { group in
            for index in 0..<count {
                group.addTask {
                    do {
                        return try await Blocking.run { self.client(index) }
                    } catch {
                        var report = Report()
                        report.failures.append(Failure(description: "client \(index) could not start: \(error)", connectedAt: nil))
                        return report
                    }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
    }

    /// Records when SIGTERM is sent; call it just before sending.
    func markSignalled(at instant: ContinuousClock.Instant) {
        signalledAt.withLock { $0 = instant }
    }

    /// Makes every client return after its current request.
    func stop() {
        stopped.store(true, ordering: .relaxed)
    }

    private func client(_ index: Int) -> Report {
        var report = Report()
        var connection: TCPClient?
        var connectedAt = ContinuousClock.now
        var onFirstConnection = true
        while !stopped.load(ordering: .relaxed) {
            if connection == nil {
                do {
                    connection = try TCPClient(port: port)
                    connectedAt = .now
                    report.connectionsOpened += 1
                } catch {
                    let now = ContinuousClock.now
                    // The listener must stay open through the whole delay, which starts when the service gets SIGTERM,
                    // after `signalledAt`: a refusal before `signalledAt + delay` is early for certain.
                    if error.isConnectionNotTaken, let signalled = signalledAt.withLock({ $0 }), now >= signalled + shutdownDelay {
                        report.podGoneAt = now
                        return report
                    }
                    report.failures.append(Failure(description: "client \(index): connect \(describe(now)): \(error)", connectedAt: nil))
                    return report
                }
            } else if Self.peerClosed(connection!) {
                report.connectionEnds.append(.cleanClose)
                connection!.close()
                connection = nil
                onFirstConnection = false
                continue
            }
            let client = connection!
            let sentAt = ContinuousClock.now
            do {
                try client.sendNow(request, timeout: .seconds(5))
                let response = try client.readResponseNow(timeout: .seconds(5))
                report.responses += 1
                if let signalled = signalledAt.withLock({ $0 }), sentAt > signalled { report.responsesAfterSignal += 1 }
                if response.status != 200 {
                    report.failures.append(
                        Failure(
                            description: "client \(index): status \(response.status) for a request sent \(describe(sentAt)) on a connection "
                                + "opened \(describe(connectedAt))", connectedAt: connectedAt))
                }
                if response.closesConnection {
                    report.connectionEnds.append(.closeResponse)
                    client.close()
                    connection = nil
                    onFirstConnection = false
                } else if onFirstConnection {
                    keepAliveResponses.withLock { $0[index] += 1 }
                }
            } catch {
                report.failures.append(
                    Failure(
                        description: "client \(index): a request sent \(describe(sentAt)) on a connection opened \(describe(connectedAt)) "
                            + "got no answer: \(error)", connectedAt: connectedAt))
                report.connectionEnds.append(.failed)
                client.close()
                connection = nil
                onFirstConnection = false
            }
            usleep(UInt32(pacing.components.seconds * 1_000_000 + pacing.components.attoseconds / 1_000_000_000_000))
        }
        return report
    }

    /// When `instant` was, relative to SIGTERM, for failure messages.
    private func describe(_ instant: ContinuousClock.Instant) -> String {
        guard let signalled = signalledAt.withLock({ $0 }) else { return "before SIGTERM" }
        return instant < signalled ? "\(signalled - instant) before SIGTERM" : "\(instant - signalled) after SIGTERM"
    }

    /// Whether the server closed (or reset) an idle connection, as a client checks before reusing one.
    private static func peerClosed(_ client: TCPClient) -> Bool {
        var descriptor = pollfd(fd: client.fileDescriptor, events: CShort(POLLIN), revents: 0)
        guard poll(&descriptor, 1, 0) > 0 else { return false }
        var byte: UInt8 = 0
        let count = recv(client.fileDescriptor, &byte, 1, CInt(MSG_PEEK | MSG_DONTWAIT))
        return count == 0 || (count < 0 && errno == ECONNRESET)
    }
}
