import Glibc

/// Reads small `/proc` files without Foundation.
enum ProcFile {
    /// The whole file, or `nil` when it cannot be read.
    static func read(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            return nil
        }
        defer { close(fd) }
        return withUnsafeTemporaryAllocation(byteCount: 4096, alignment: 1) { chunk -> [UInt8]? in
            var contents: [UInt8] = []
            while true {
                let count = Glibc.read(fd, chunk.baseAddress, chunk.count)
                if count > 0 {
                    contents.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[..<count]))
                } else if count == 0 {
                    return contents
                } else if errno != EINTR {
                    return nil
                }
            }
        }
    }

    /// Splits on spaces and newlines.
    static func fields(_ bytes: some Collection<UInt8>) -> [ArraySlice<UInt8>] {
        Array(bytes).split(whereSeparator: { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\n") })
    }

    /// Parses an unsigned decimal field.
    static func integer(_ field: ArraySlice<UInt8>) -> Int? {
        guard !field.isEmpty else {
            return nil
        }
        var value = 0
        for byte in field {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else {
                return nil
            }
            let (shifted, overflow) = value.multipliedReportingOverflow(by: 10)
            guard !overflow else {
                return nil
            }
            value = shifted + Int(byte - UInt8(ascii: "0"))
        }
        return value
    }
}
