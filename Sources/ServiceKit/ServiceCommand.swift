import FoundationEssentials
import Glibc
import HTTPServer
import IO
import Lifecycle
import Observability
import Postgres

/// The command line of every service built on the kit: `serve`, `migrate [status]`, `check-config`, `describe`.
///
/// An application's `main.swift` is one line, and the only place that exits:
/// ```swift
/// exit(await ServiceCommand.run(ItemsService.self))
/// ```
public enum ServiceCommand {
    static func usage(_ name: String) -> String {
        """
        usage: \(name) [serve]         run the server (default)
               \(name) migrate         apply pending database migrations
               \(name) migrate status  show which migrations are applied
               \(name) check-config    validate settings and print them, secrets redacted
               \(name) describe        print routes, ports and the shutdown budget as JSON
        Settings come from environment variables; see README.md.
        """
    }

    /// EX_CONFIG from sysexits.h: the process cannot start with this configuration.
    static let configurationError: Int32 = 78

    /// Runs the subcommand in `arguments` (the process's own by default) for `App` and returns the exit code, with
    /// the log flushed: pass it to `exit`.
    ///
    /// `@concurrent` because `main` calls it from the main actor: under nonisolated-nonsending-by-default it
    /// would otherwise run there, and startup, migrations and shutdown with it, on the main thread's queue.
    @concurrent public static func run<App: ServiceApplication>(
        _ app: App.Type, arguments: [String] = Array(CommandLine.arguments.dropFirst())
    ) async -> Int32 {
        // A peer that goes away mid-response must cost an EPIPE, never the process.
        signal(SIGPIPE, SIG_IGN)
        let code = await dispatch(app, arguments: arguments)
        _ = LogSink.standardOutput.flush(timeout: .seconds(2))
        return code
    }

    private static func dispatch<App: ServiceApplication>(_ app: App.Type, arguments: [String]) async -> Int32 {
        let name = CommandLine.arguments.first.map { String($0.split(separator: "/").last ?? "service") } ?? "service"
        switch arguments.first ?? "serve" {
        case "serve" where arguments.count <= 1: return await serve(app)
        case "migrate" where arguments.count == 1: return await migrate(app, status: false)
        case "migrate" where arguments.count == 2 && arguments[1] == "status": return await migrate(app, status: true)
        case "check-config" where arguments.count == 1: return checkConfig(app)
        case "describe" where arguments.count == 1: return describe(app)
        case "help", "--help", "-h":
            print(usage(name))
            return 0
        default:
            FileHandleWriter.standardError(usage(name))
            return 64
        }
    }

    /// The kit's settings and the application's, read in one pass.
    struct LoadedSettings<App: ServiceApplication> {
        let service: ServiceSettings
        let app: App.Settings
        let configuration: ServiceConfiguration
        /// Every variable read, the kit's then the application's, with its value in effect (secrets hidden).
        let variables: [SettingsReader.Variable]
    }

    /// Loads settings, or prints every problem and returns nil.
    static func loadSettings<App: ServiceApplication>(
        _ app: App.Type, from environment: Environment = .process()
    ) -> LoadedSettings<App>? {
        do {
            var reader = SettingsReader(environment)
            let settings = ServiceSettings(reader: &reader)
            let appSettings = App.readSettings(from: &reader)
            try reader.throwIfProblems()
            return LoadedSettings(
                service: settings, app: appSettings, configuration: try ServiceConfiguration(settings: settings),
                variables: reader.variables
            )
        } catch {
            FileHandleWriter.standardError("configuration error:\n\(error)")
            let logger = Logger(label: "service")
            logger.critical("invalid configuration", ["event": "startup.config_invalid", "problems": .string(String(describing: error))])
            return nil
        }
    }

    static func serve<App: ServiceApplication>(_ app: App.Type) async -> Int32 {
        guard let loaded = loadSettings(app) else { return configurationError }
        let logger = Logger(label: "service", level: loaded.configuration.logLevel)
        logger.info("effective configuration", ["event": "startup.config", "settings": .string(effectiveConfiguration(loaded))])
        // A process-wide limit: raised where the process starts serving, not for `describe` or an assembly a test builds.
        let descriptorLimit = DescriptorLimit.raiseSoftToHard()
        if let shortfall = loaded.configuration.descriptorShortfall(limit: descriptorLimit) {
            logger.warning(shortfall, [
                "event": "startup.descriptor_limit", "limit": .int(descriptorLimit), "needed": .int(loaded.configuration.descriptorsNeeded),
            ])
        }
        do {
            let assembly = try ServiceAssembly(app, settings: loaded.app, configuration: loaded.configuration, logger: logger)
            let code = await assembly.runner.run()
            // After an immediate exit the loops may still be busy (or blocked): joining them could hang.
            if code != ServiceRunner.immediateExitCode { assembly.group.shutdown() }
            return code
        } catch {
            logger.critical("startup failed", ["event": "startup.failed", "error": .string(String(describing: error))])
            return 1
        }
    }

    static func migrate<App: ServiceApplication>(_ app: App.Type, status: Bool) async -> Int32 {
        guard let loaded = loadSettings(app) else { return configurationError }
        let configuration = loaded.configuration
        let logger = Logger(label: "migrate", level: configuration.logLevel)
        do {
            let group = try EventLoopGroup(threadCount: 1)
            defer { group.shutdown() }
            var poolConfiguration = configuration.pool
            poolConfiguration.minimumConnections = 0
            poolConfiguration.maximumConnections = 1
            let pool = PostgresPool(configurationSource: configuration.database, poolConfiguration: poolConfiguration, eventLoopGroup: group)
            let running = Task { await pool.run() }
            defer { running.cancel() }
            let migrator = Migrator(pool: pool, migrations: App.migrations)
            if status {
                for row in try await migrator.status() {
                    print("\(row.version)\t\(row.name)\t\(row.appliedAt ?? "pending")")
                }
            } else {
                let applied = try await migrator.migrate()
                logger.notice("migrations applied", ["event": "migrate.done", "applied": .string(applied.map(String.init).joined(separator: ",")),
                    "version": .int(App.migrations.requiredVersion)])
            }
            await pool.close(timeout: .seconds(5))
            return 0
        } catch {
            logger.critical("migration failed", ["event": "migrate.failed", "error": .string(String(describing: error))])
            return 1
        }
    }

    static func checkConfig<App: ServiceApplication>(_ app: App.Type) -> Int32 {
        guard let loaded = loadSettings(app) else { return configurationError }
        print(effectiveConfiguration(loaded))
        return 0
    }

    /// Every setting in effect, the kit's then the application's, as `NAME=value` lines with secrets hidden.
    static func effectiveConfiguration<App: ServiceApplication>(_ loaded: LoadedSettings<App>) -> String {
        loaded.variables.map { "\($0.name)=\($0.value)" }.joined(separator: "\n")
    }

    static func describe<App: ServiceApplication>(_ app: App.Type) -> Int32 {
        // Describing never connects, so a manifest check needs no database URL; a given one is still validated.
        var environment = Environment.process()
        if environment["DATABASE_URL"] == nil && environment["DATABASE_URL_FILE"] == nil {
            environment.values["DATABASE_URL"] = "postgresql://describe@localhost/describe"
        }
        guard let loaded = loadSettings(app, from: environment) else { return configurationError }
        var quiet = loaded.configuration
        quiet.ioThreads = 1
        guard let assembly = try? ServiceAssembly(app, settings: loaded.app, configuration: quiet, logger: Logger(label: "describe", level: .critical))
        else { return 1 }
        defer { assembly.group.shutdown() }
        let description = ServiceDescription(
            settings: loaded.service, variables: loaded.variables, configuration: loaded.configuration, trafficRoutes: assembly.trafficRoutes, adminRoutes: assembly.adminRoutes
        )
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(description) else { return 1 }
        print(String(decoding: data, as: UTF8.self))
        return 0
    }
}

/// Writes straight to stderr, bypassing the log buffer (configuration errors come before logging).
enum FileHandleWriter {
    static func standardError(_ text: String) {
        let line = text.hasSuffix("\n") ? text : text + "\n"
        var remaining = Array(line.utf8)[...]
        while !remaining.isEmpty {
            let written = remaining.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { return }
            remaining = remaining.dropFirst(written)
        }
    }
}
