import App
import FoundationEssentials
import Glibc
import HTTPServer
import IO
import Lifecycle
import Observability
import Postgres

/// The subcommands of the `service` binary.
enum Command {
    static let usage = """
        usage: service [serve]         run the server (default)
               service migrate         apply pending database migrations
               service migrate status  show which migrations are applied
               service check-config    validate settings and print them, secrets redacted
               service describe        print routes, ports and the shutdown budget as JSON
        Settings come from environment variables; see README.md.
        """

    /// EX_CONFIG from sysexits.h: the process cannot start with this configuration.
    static let configurationError: Int32 = 78

    /// Runs the subcommand `arguments` name and returns the process's exit code.
    ///
    /// `@concurrent` because `main` calls it from the main actor: under nonisolated-nonsending-by-default it
    /// would otherwise run there, and startup, migrations and shutdown with it, on the main thread's queue.
    @concurrent static func run(_ arguments: [String]) async -> Int32 {
        switch arguments.first ?? "serve" {
        case "serve" where arguments.count <= 1: return await serve()
        case "migrate" where arguments.count == 1: return await migrate(status: false)
        case "migrate" where arguments.count == 2 && arguments[1] == "status": return await migrate(status: true)
        case "check-config" where arguments.count == 1: return checkConfig()
        case "describe" where arguments.count == 1: return describe()
        case "help", "--help", "-h":
            print(usage)
            return 0
        default:
            FileHandleWriter.standardError(usage)
            return 64
        }
    }

    /// Loads settings, or prints every problem and returns nil.
    static func loadSettings(from environment: Environment = .process()) -> (ServiceSettings, AppConfiguration)? {
        do {
            let settings = try ServiceSettings.load(from: environment)
            return (settings, try AppConfiguration(settings: settings))
        } catch {
            FileHandleWriter.standardError("configuration error:\n\(error)")
            let logger = Logger(label: "service")
            logger.critical("invalid configuration", ["event": "startup.config_invalid", "problems": .string(String(describing: error))])
            return nil
        }
    }

    static func serve() async -> Int32 {
        guard let (settings, configuration) = loadSettings() else { return configurationError }
        let logger = Logger(label: "service", level: configuration.logLevel)
        logger.info("effective configuration", ["event": "startup.config", "settings": .string(settings.redactedDescription)])
        do {
            let application = try Application(configuration: configuration, logger: logger)
            let code = await application.runner.run()
            // After an immediate exit the loops may still be busy (or blocked): joining them could hang.
            if code != ServiceRunner.immediateExitCode { application.group.shutdown() }
            return code
        } catch {
            logger.critical("startup failed", ["event": "startup.failed", "error": .string(String(describing: error))])
            return 1
        }
    }

    static func migrate(status: Bool) async -> Int32 {
        guard let (_, configuration) = loadSettings() else { return configurationError }
        let logger = Logger(label: "migrate", level: configuration.logLevel)
        do {
            let group = try EventLoopGroup(threadCount: 1)
            defer { group.shutdown() }
            var poolConfiguration = configuration.pool
            poolConfiguration.minimumConnections = 0
            poolConfiguration.maximumConnections = 1
            let pool = PostgresPool(configuration: configuration.database, poolConfiguration: poolConfiguration, eventLoopGroup: group)
            let running = Task { await pool.run() }
            defer { running.cancel() }
            let migrator = Migrator(pool: pool)
            if status {
                for row in try await migrator.status() {
                    print("\(row.version)\t\(row.name)\t\(row.appliedAt ?? "pending")")
                }
            } else {
                let applied = try await migrator.migrate()
                logger.notice("migrations applied", ["event": "migrate.done", "applied": .string(applied.map(String.init).joined(separator: ",")),
                    "version": .int(Migrations.requiredVersion)])
            }
            await pool.close(timeout: .seconds(5))
            return 0
        } catch {
            logger.critical("migration failed", ["event": "migrate.failed", "error": .string(String(describing: error))])
            return 1
        }
    }

    static func checkConfig() -> Int32 {
        guard let (settings, _) = loadSettings() else { return configurationError }
        print(settings.redactedDescription)
        return 0
    }

    static func describe() -> Int32 {
        // Describing never connects, so a manifest check needs no database URL; a given one is still validated.
        var environment = Environment.process()
        if environment["DATABASE_URL"] == nil && environment["DATABASE_URL_FILE"] == nil {
            environment.values["DATABASE_URL"] = "postgresql://describe@localhost/describe"
        }
        guard let (settings, configuration) = loadSettings(from: environment) else { return configurationError }
        var quiet = configuration
        quiet.ioThreads = 1
        guard let application = try? Application(configuration: quiet, logger: Logger(label: "describe", level: .critical)) else { return 1 }
        defer { application.group.shutdown() }
        let description = ServiceDescription(
            settings: settings, configuration: configuration, trafficRoutes: application.trafficRoutes, adminRoutes: application.adminRoutes
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
