import Foundation
import IO
import Testing

@Suite struct EventLoopGroupTests {
    /// The scheduling policy (field 41 of `/proc/self/task/<tid>/stat`) of every thread named `name`.
    private func policies(ofThreadsNamed name: String) throws -> [Int] {
        let tasks = try FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")
        return try tasks.compactMap { tid -> Int? in
            let comm = try String(contentsOfFile: "/proc/self/task/\(tid)/comm", encoding: .utf8)
            guard comm.trimmingCharacters(in: .whitespacesAndNewlines) == name else { return nil }
            let stat = try String(contentsOfFile: "/proc/self/task/\(tid)/stat", encoding: .utf8)
            // The command name may contain spaces; the fields after its closing parenthesis start at field 3.
            let fields = stat[stat.index(after: stat.lastIndex(of: ")")!)...].split(separator: " ")
            return Int(fields[41 - 3])
        }
    }

    @Test func loopThreadsDoNotPreemptHandlersWhenWoken() async throws {
        let group = try EventLoopGroup(threadCount: 2)
        defer { group.shutdown() }
        // The loops set their policy as they start; wait until both have turned once.
        for loop in group.loops {
            await withCheckedContinuation { continuation in loop.execute { continuation.resume() } }
        }
        let schedBatch = 3
        #expect(try policies(ofThreadsNamed: "io-0") == [schedBatch])
        #expect(try policies(ofThreadsNamed: "io-1") == [schedBatch])
    }
}
