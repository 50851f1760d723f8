import Glibc

extension TCPClient {
    /// Opens `count` connections from one thread; they all stay open until closed or released.
    public static func connectMany(_ count: Int, host: String = "127.0.0.1", port: Int) async throws -> [TCPClient] {
        try await Blocking.run {
            var clients: [TCPClient] = []
            clients.reserveCapacity(count)
            for _ in 0..<count { clients.append(try TCPClient(host: host, port: port)) }
            return clients
        }
    }

    /// Sends `requests[i]` on `clients[i]`, all at once, then waits for every response with one `poll`.
    ///
    /// One thread drives every connection, so hundreds of requests are really in flight together.
    public static func exchangeAll(
        _ clients: [TCPClient], requests: [String], timeout: Duration = defaultTimeout
    ) async throws -> [HTTPTestResponse] {
        precondition(clients.count == requests.count, "one request per client")
        return try await Blocking.run {
            let deadline = deadline(after: timeout)
            for (client, request) in zip(clients, requests) { try client.sendNow(Array(request.utf8), timeout: timeout) }
            var responses = [HTTPTestResponse?](repeating: nil, count: clients.count)
            var buffers = [[UInt8]](repeating: [], count: clients.count)
            var waiting = Set(clients.indices)
            while !waiting.isEmpty {
                let indices = Array(waiting)
                var descriptors = indices.map { pollfd(fd: clients[$0].fileDescriptor, events: CShort(POLLIN), revents: 0) }
                let remaining = Int64(deadline) - Int64(nowNanoseconds())
                guard remaining > 0 else { throw TCPClientError(.timedOut, "\(waiting.count) of \(clients.count) responses missing") }
                let ready = poll(&descriptors, nfds_t(descriptors.count), CInt(remaining / 1_000_000 + 1))
                if ready < 0 && errno != EINTR { throw TCPClientError.system(errno, "poll") }
                for (slot, index) in indices.enumerated() where descriptors[slot].revents != 0 {
                    let chunk = try clients[index].receive(deadline: deadline)
                    guard !chunk.isEmpty else { throw TCPClientError(.closed, "connection \(index) closed before its response") }
                    buffers[index].append(contentsOf: chunk)
                    if let response = try HTTPTestResponse.parse(from: &buffers[index]) {
                        responses[index] = response
                        waiting.remove(index)
                    }
                }
            }
            return responses.map { $0! }
        }
    }
}
