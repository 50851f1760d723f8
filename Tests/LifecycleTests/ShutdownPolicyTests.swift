import Glibc
import Lifecycle
import Testing

/// The pure decisions of the shutdown path: which signal drains, and who may call `/prestop`.
@Suite struct ShutdownPolicyTests {
    @Test func firstDrainingSignalDrainsAndTheSecondExits() {
        var policy = SignalPolicy()
        #expect(policy.receive(SIGTERM) == .beginDrain)
        #expect(policy.receive(SIGINT) == .exitNow)
        #expect(policy.receive(SIGQUIT) == .exitNow)
    }

    @Test func ignoredSignalsNeverCountTowardsTheExit() {
        var policy = SignalPolicy()
        for signal in [SIGHUP, SIGUSR1, SIGUSR2, SIGALRM, SIGVTALRM, SIGPROF, SIGHUP] {
            guard case .ignore(let reason) = policy.receive(signal) else {
                Issue.record("\(SignalPolicy.name(signal)) is not ignored")
                continue
            }
            #expect(!reason.isEmpty)
        }
        #expect(policy.receive(SIGQUIT) == .beginDrain)
    }

    @Test func everySignalThatWouldEndTheProcessQuietlyIsHandled() {
        // Default action "terminate" and asynchronous (sent by someone, not raised by a fault or a limit).
        let terminating = [SIGHUP, SIGINT, SIGQUIT, SIGUSR1, SIGUSR2, SIGALRM, SIGTERM, SIGVTALRM, SIGPROF]
        #expect(Set(SignalPolicy.dispositions.keys) == Set(terminating))
        for signal in terminating { #expect(!SignalPolicy.name(signal).hasPrefix("signal ")) }
    }

    @Test func signalsAreNamedAsGlibcNamesThem() {
        #expect(SignalPolicy.name(SIGTERM) == "SIGTERM")
        #expect(SignalPolicy.name(SIGVTALRM) == "SIGVTALRM")
        #expect(SignalPolicy.name(1_000) == "signal 1000")
    }

    @Test func prestopNeedsTheConfiguredToken() {
        let authorization = PrestopAuthorization(token: "0123456789abcdef")
        #expect(authorization.decide(presented: ["0123456789abcdef"]) == .allowed)
        #expect(authorization.decide(presented: []) == .refused("no X-Prestop-Token header"))
        #expect(authorization.decide(presented: ["0123456789abcdeF"]) == .refused("wrong X-Prestop-Token"))
        #expect(authorization.decide(presented: ["0123456789abcdef0"]) == .refused("wrong X-Prestop-Token"))
        #expect(authorization.decide(presented: ["0123456789abcde"]) == .refused("wrong X-Prestop-Token"))
        #expect(authorization.decide(presented: [""]) == .refused("wrong X-Prestop-Token"))
        #expect(authorization.decide(presented: ["0123456789abcdef", "0123456789abcdef"]) == .refused("X-Prestop-Token given 2 times"))
    }

    @Test func withoutATokenPrestopIsRefused() {
        let authorization = PrestopAuthorization(token: nil)
        #expect(!authorization.isEnabled)
        #expect(authorization.decide(presented: ["anything-at-all-16"]) == .refused("PRESTOP_TOKEN is not set, so /prestop is disabled"))
    }

    @Test func prestopTokenSetting() throws {
        func load(_ values: [String: String]) throws(SettingsError) -> ServiceSettings {
            try ServiceSettings.load(from: Environment(values.merging(["DATABASE_URL": "postgres://app@db:5432/app"]) { a, _ in a }))
        }
        #expect(try load([:]).admin.prestopToken == nil)
        let settings = try load(["PRESTOP_TOKEN": "0123456789abcdef"])
        #expect(settings.admin.prestopToken?.value == "0123456789abcdef")
        var reader = SettingsReader(Environment(["DATABASE_URL": "postgres://app@db:5432/app", "PRESTOP_TOKEN": "0123456789abcdef"]))
        _ = ServiceSettings(reader: &reader)
        let printed = reader.variables.map { "\($0.name)=\($0.value)" }.joined(separator: "\n")
        #expect(printed.contains("PRESTOP_TOKEN=***\n"))
        #expect(!printed.contains("0123456789abcdef"))
        for (value, message) in [
            ("short", "PRESTOP_TOKEN: must be at least 16 characters (it is 5)"),
            ("has a space in it, sadly", "PRESTOP_TOKEN: must be visible ASCII characters only (no spaces or control characters)"),
        ] {
            do {
                _ = try load(["PRESTOP_TOKEN": value])
                Issue.record("\(value) was accepted")
            } catch {
                #expect(error.problems.map(\.description) == [message])
            }
        }
    }

    @Test func graceperiodDefaultsToKubernetes() throws {
        let environment = ["DATABASE_URL": "postgres://app@db:5432/app"]
        #expect(try ServiceSettings.load(from: Environment(environment)).lifespan.effectiveTerminationGracePeriod == .seconds(30))
        let set = try ServiceSettings.load(from: Environment(environment.merging(["TERMINATION_GRACE_PERIOD_SECONDS": "45"]) { _, b in b }))
        #expect(set.lifespan.effectiveTerminationGracePeriod == .seconds(45))
    }
}
