import Glibc
import TestSupport
import Testing

/// The database password, in `DATABASE_URL` or in `DATABASE_PASSWORD_FILE`, never appears in anything the binary
/// prints: not at startup, not per request, not in errors, not at shutdown, not even at `LOG_LEVEL=trace`.
@Suite(.requiresPostgreSQL) struct SecretTests {
    @Test(arguments: [false, true], ServiceExecutable.allCases)
    func passwordNeverReachesTheOutput(fromFile: Bool, executable: ServiceExecutable) async throws {
        let name = (fromFile ? "secret_file" : "secret_url") + (executable == .service ? "" : "_minimal")
        let password = "Pw-\(name)-\(UInt32.random(in: .min ... .max))"
        let schema = try await ServiceFixture.freshSchema(name)
        let passwordFile = fromFile ? TemporaryFile(password + "\n") : nil
        defer { withExtendedLifetime(passwordFile) {} }
        let settings =
            fromFile
            ? ["DATABASE_PASSWORD_FILE": passwordFile!.path, "LOG_LEVEL": "trace", "ENABLE_TEST_HOOKS": "true"]
            : ["DATABASE_URL": try ServiceFixture.url(schema.url, password: password), "LOG_LEVEL": "trace", "ENABLE_TEST_HOOKS": "true"]
        let environment = ServiceFixture.environment(schema: schema, settings)

        var outputs: [(String, ServiceProcess)] = []
        let migrate = try await ServiceFixture.run(executable, ["migrate"], environment: environment)
        #expect(migrate.exit?.code == 0, "\(migrate.output)")
        outputs.append(("migrate", migrate))
        let checkConfig = try await ServiceFixture.run(executable, ["check-config"], environment: environment)
        #expect(checkConfig.exit?.code == 0, "\(checkConfig.output)")
        #expect(checkConfig.standardOutput.contains(fromFile ? "DATABASE_PASSWORD_FILE=/" : " password=*** "), "\(checkConfig.output)")
        outputs.append(("check-config", checkConfig))

        let service = try await ServiceFixture.serve(executable, environment)
        for _ in 0..<2 { #expect(try await service.get(ServiceFixture.databaseRoute).status == 200) }
        #expect(try await service.get("/debug/sleep?seconds=x").status == 400)
        #expect(try await service.get("/missing").status == 404)
        #expect(try await service.get("/readyz?verbose").status == 200)
        #expect(try await service.admin("GET", "/readyz?verbose").status == 200)
        #expect(try await service.admin("GET", "/metrics").status == 200)
        service.process.send(SIGTERM)
        #expect(try await service.process.waitForExit(timeout: .seconds(8)).code == 0, "\(service.process.output)")
        outputs.append(("serve", service.process))

        for (command, process) in outputs {
            #expect(!process.output.contains(password), "\(executable.rawValue) \(command) printed the password:\n\(process.output)")
        }
        // The access log really covered the traffic port's requests, so the check above looked at something.
        #expect(service.process.logLines(event: "http.request").count >= 5, "\(service.process.output)")
        try await ServiceFixture.drop(schema)
    }
}
