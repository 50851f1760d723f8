import Glibc
import Observability
import Postgres
import TestSupport
import Testing

@testable import Lifecycle

/// The keep-last-good logic on its own: versions and reads are handed in.
@Suite struct SecretFileStateTests {
    private static func version(_ inode: UInt64, size: Int64 = 10) -> Result<SecretFile.Version, ParseFailure> {
        .success(SecretFile.Version(device: 1, inode: inode, size: size, modified: 5, changed: 5))
    }

    private static func parse(_ text: String) -> Result<String, ParseFailure> {
        text.hasPrefix("good") ? .success(text.uppercased()) : .failure(ParseFailure("not good"))
    }

    @Test func readsOnlyWhenTheVersionChanges() {
        var state = SecretFileState(text: "good-1", value: "GOOD-1")
        var reads = 0
        let read = { (text: String) in { () -> Result<String, ParseFailure> in reads += 1; return .success(text) } }
        #expect(state.observe(Self.version(1), read: read("good-1"), parse: Self.parse) == .unchanged)
        #expect(reads == 1)
        #expect(state.observe(Self.version(1), read: read("good-2"), parse: Self.parse) == .unchanged)
        #expect(reads == 1)
        #expect(state.observe(Self.version(2), read: read("good-2"), parse: Self.parse) == .reloaded)
        #expect(state.value == "GOOD-2")
        #expect(state.observe(Self.version(2, size: 11), read: read("good-3"), parse: Self.parse) == .reloaded)
        #expect(state.value == "GOOD-3")
        #expect(reads == 3)
    }

    @Test func sameTextUnderANewVersionIsNoChange() {
        var state = SecretFileState(text: "good-1", value: "GOOD-1")
        #expect(state.observe(Self.version(7), read: { .success("good-1") }, parse: Self.parse) == .unchanged)
        #expect(state.value == "GOOD-1")
    }

    @Test func badContentsKeepTheLastGoodValueAndAreReportedOncePerChange() {
        var state = SecretFileState(text: "good-1", value: "GOOD-1")
        #expect(state.observe(Self.version(2), read: { .success("bad") }, parse: Self.parse) == .rejected("not good"))
        #expect(state.value == "GOOD-1")
        #expect(state.observe(Self.version(2), read: { .success("bad") }, parse: Self.parse) == .unchanged)
        #expect(state.observe(Self.version(3), read: { .success("worse") }, parse: Self.parse) == .rejected("not good"))
        #expect(state.observe(Self.version(4), read: { .failure(ParseFailure("cannot read")) }, parse: Self.parse) == .rejected("cannot read"))
        #expect(state.value == "GOOD-1")
        #expect(state.observe(Self.version(5), read: { .success("good-2") }, parse: Self.parse) == .reloaded)
        #expect(state.value == "GOOD-2")
    }

    @Test func aVanishedFileIsReportedOnceAndItsReturnIsNoticed() {
        var state = SecretFileState(text: "good-1", value: "GOOD-1")
        #expect(state.observe(Self.version(1), read: { .success("good-1") }, parse: Self.parse) == .unchanged)
        let missing = Result<SecretFile.Version, ParseFailure>.failure(ParseFailure("No such file or directory"))
        #expect(state.observe(missing, read: { .success("x") }, parse: Self.parse) == .rejected("No such file or directory"))
        #expect(state.observe(missing, read: { .success("x") }, parse: Self.parse) == .unchanged)
        #expect(state.value == "GOOD-1")
        #expect(state.observe(Self.version(1), read: { .success("good-2") }, parse: Self.parse) == .reloaded)
        #expect(state.value == "GOOD-2")
    }
}

/// `configurationSource` over real files laid out as the kubelet lays out a Secret volume: `url -> ..data/url`,
/// `..data -> ..<timestamp>`, updated by renaming a new `..data` symlink over the old one.
@Suite struct SecretFileReloadTests {
    /// A Secret volume in a fresh directory.
    final class SecretVolume {
        let directory: String
        private var generation = 0

        init(_ files: [String: String]) {
            var template = Array("/tmp/secret-volume-XXXXXX".utf8CString)
            directory = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)) }
            publish(files)
            for name in files.keys { precondition(symlink("..data/\(name)", "\(directory)/\(name)") == 0) }
        }

        func path(_ name: String) -> String { "\(directory)/\(name)" }

        /// Writes `files` into a new timestamped directory and swaps `..data` to it atomically.
        func publish(_ files: [String: String]) {
            generation += 1
            let target = "..gen_\(generation)"
            precondition(mkdir("\(directory)/\(target)", 0o755) == 0)
            for (name, contents) in files {
                let file = fopen("\(directory)/\(target)/\(name)", "w")!
                fputs(contents, file)
                fclose(file)
            }
            precondition(symlink(target, "\(directory)/..data_tmp") == 0)
            precondition(rename("\(directory)/..data_tmp", "\(directory)/..data") == 0)
        }

        deinit { _ = Shell.run("rm -rf '\(directory)'") }
    }

    private static func settings(_ environment: [String: String]) throws -> ServiceSettings.Database {
        try ServiceSettings.load(from: Environment(environment)).database
    }

    @Test func symlinkSwapReachesNewConnectionsAndABadFileKeepsTheLastGood() throws {
        let volume = SecretVolume(["url": "postgres://app:first-pw@db/app\n"])
        let capture = CapturedLines()
        let sink = capture.makeSink()
        let source = try Self.settings(["DATABASE_URL_FILE": volume.path("url")]).configurationSource(logger: Logger(label: "t", sink: sink))
        #expect(source.current.parameter("password") == "first-pw")

        volume.publish(["url": "postgres://app:second-pw@db2/app\n"])
        #expect(source.current.parameter("password") == "second-pw")
        #expect(source.current.parameter("host") == "db2")

        volume.publish(["url": "postgres://app:third-pw@[db/app\n"])
        for _ in 0..<3 { #expect(source.current.parameter("password") == "second-pw") }
        volume.publish(["url": ""])
        #expect(source.current.parameter("password") == "second-pw")
        volume.publish(["url": "postgres://app:fourth-pw@db/app"])
        #expect(source.current.parameter("password") == "fourth-pw")

        #expect(sink.flush(timeout: .seconds(10)))
        let lines = capture.lines.map { String(decoding: $0, as: UTF8.self) }
        #expect(lines.filter { $0.contains("config.secret_reloaded") }.count == 2, "\(lines)")
        #expect(lines.filter { $0.contains("config.secret_rejected") }.count == 2, "\(lines)")
        #expect(lines.contains { $0.contains("\"level\":\"error\"") && $0.contains("not a libpq connection string") && $0.contains(volume.path("url")) })
        #expect(lines.contains { $0.contains("is empty") })
        for line in lines { #expect(!line.contains("-pw"), "\(line)") }
    }

    @Test func passwordFileRewrittenInPlaceReplacesThePassword() throws {
        let password = TemporaryFile("old-password\n")
        let capture = CapturedLines()
        let source = try Self.settings(["DATABASE_URL": "postgres://app:url-pw@db/app", "DATABASE_PASSWORD_FILE": password.path])
            .configurationSource(logger: Logger(label: "t", sink: capture.makeSink()))
        #expect(source.current.password == "old-password")
        let file = fopen(password.path, "w")!
        fputs("new-password-longer\n", file)
        fclose(file)
        #expect(source.current.password == "new-password-longer")
    }

    @Test func withoutFilesTheConfigurationIsFixed() throws {
        let source = try Self.settings(["DATABASE_URL": "postgres://app:pw@db/app"]).configurationSource(logger: Logger(label: "t"))
        #expect(source.current.parameter("password") == "pw")
    }
}
