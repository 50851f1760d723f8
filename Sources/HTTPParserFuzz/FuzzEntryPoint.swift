#if FUZZING
/// libFuzzer's entry point (built with `-sanitize=fuzzer -DFUZZING`; see scripts/fuzz.sh).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    ParserHarness.check(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}

/// libFuzzer's driver (its own `main` calls it the same way).
@_extern(c, "LLVMFuzzerRunDriver")
func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

/// SwiftPM links executables with `--defsym main=HTTPParserFuzz_main` (so tests can link them), which
/// would leave `main` undefined here: define that name and hand over to libFuzzer's driver.
@_cdecl("HTTPParserFuzz_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var argc = argc
    var argv = argv
    return runFuzzerDriver(&argc, &argv, fuzzOneInput)
}
#else
import Glibc

/// Without libFuzzer: replays the files given as arguments (a corpus or a crash reproducer).
///
/// Not `main.swift`: libFuzzer brings its own `main`, so the fuzz build must have no top-level code,
/// and an inactive `#if` branch is still parsed.
@main
enum ReplayMain {
    static func main() {
        var replayed = 0
        for path in CommandLine.arguments.dropFirst() {
            guard let input = readFile(path) else {
                print("cannot read \(path)")
                exit(1)
            }
            input.withUnsafeBytes(ParserHarness.check)
            replayed += 1
        }
        print("replayed \(replayed) inputs")
    }

    static func readFile(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var input: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 { return nil }
            if count == 0 { return input }
            input.append(contentsOf: chunk[..<count])
        }
    }
}
#endif
