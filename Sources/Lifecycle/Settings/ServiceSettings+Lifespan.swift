extension ServiceSettings {
    /// How long startup may take and how the SIGTERM drain spends the pod's grace period.
    public struct Lifespan: Sendable, Hashable {
        /// `SHUTDOWN_DELAY_SECONDS`: after SIGTERM (or `/prestop`), keep serving with readiness red
        /// this long, so requests routed before the endpoint removal propagates still succeed.
        public var shutdownDelay: Duration = .seconds(5)
        /// `DRAIN_TIMEOUT_SECONDS`: after the listener closes, how long in-flight requests may
        /// finish before they are cancelled.
        public var drainTimeout: Duration = .seconds(20)
        /// `SHUTDOWN_HOOK_TIMEOUT_SECONDS`: how long the lifespan shutdown hooks (pool close
        /// included) may run in total.
        public var shutdownHookTimeout: Duration = .seconds(5)
        /// `TERMINATION_GRACE_PERIOD_SECONDS` (when unset, ``kubernetesDefaultGracePeriod``): the pod's
        /// `terminationGracePeriodSeconds`. When set, startup is refused unless ``requiredGracePeriod`` fits in it.
        /// A `/prestop` that no SIGTERM follows within it ends the process with exit code 1 (see
        /// ``effectiveTerminationGracePeriod``).
        public var terminationGracePeriod: Duration? = nil
        /// `STARTUP_DEADLINE_SECONDS`: how long startup may keep retrying (an unreachable
        /// database) before the process gives up and exits non-zero.
        public var startupDeadline: Duration = .seconds(60)

        /// Creates the defaults.
        public init() {}

        /// Reads the shutdown and startup variables and checks the shutdown budget against the grace period.
        public init(reader: inout SettingsReader) {
            shutdownDelay = reader.seconds(
                "SHUTDOWN_DELAY_SECONDS", default: shutdownDelay, doc: "Serve with readiness red this long after SIGTERM.")
            drainTimeout = reader.seconds(
                "DRAIN_TIMEOUT_SECONDS", default: drainTimeout, doc: "Time for in-flight requests after the listener closes.")
            shutdownHookTimeout = reader.seconds(
                "SHUTDOWN_HOOK_TIMEOUT_SECONDS", default: shutdownHookTimeout, doc: "Time for the lifespan shutdown hooks.")
            terminationGracePeriod = reader.optionalSeconds(
                "TERMINATION_GRACE_PERIOD_SECONDS", doc: "The pod's terminationGracePeriodSeconds; checked against the budget.")
            startupDeadline = reader.seconds(
                "STARTUP_DEADLINE_SECONDS", default: startupDeadline, allowsZero: false, doc: "Give up starting after this long.")
            checkBudget(&reader)
        }

        /// Kubernetes' default `terminationGracePeriodSeconds`, assumed while `TERMINATION_GRACE_PERIOD_SECONDS` is unset.
        public static let kubernetesDefaultGracePeriod: Duration = .seconds(30)

        /// The pod's grace period: `TERMINATION_GRACE_PERIOD_SECONDS`, else ``kubernetesDefaultGracePeriod``.
        ///
        /// In a real termination the kubelet sends SIGTERM when the preStop hook returns, and SIGKILL at the latest
        /// when this period ends; a process that served `/prestop` and is still alive, without SIGTERM, after it
        /// was not being terminated by anyone.
        public var effectiveTerminationGracePeriod: Duration {
            terminationGracePeriod ?? Self.kubernetesDefaultGracePeriod
        }

        /// Shutdown delay + drain timeout + shutdown hook timeout + ``ServiceSettings/margin``.
        public var requiredGracePeriod: Duration {
            shutdownDelay + drainTimeout + shutdownHookTimeout + ServiceSettings.margin
        }

        private func checkBudget(_ reader: inout SettingsReader) {
            let parts = ["SHUTDOWN_DELAY_SECONDS", "DRAIN_TIMEOUT_SECONDS", "SHUTDOWN_HOOK_TIMEOUT_SECONDS", "TERMINATION_GRACE_PERIOD_SECONDS"]
            guard let terminationGracePeriod, requiredGracePeriod > terminationGracePeriod, !parts.contains(where: reader.hasProblem)
            else { return }
            reader.report(
                "TERMINATION_GRACE_PERIOD_SECONDS",
                "\(terminationGracePeriod.settingsText) s is too short for the shutdown: SHUTDOWN_DELAY_SECONDS "
                    + "\(shutdownDelay.settingsText) + DRAIN_TIMEOUT_SECONDS \(drainTimeout.settingsText) + "
                    + "SHUTDOWN_HOOK_TIMEOUT_SECONDS \(shutdownHookTimeout.settingsText) + margin \(ServiceSettings.margin.settingsText) "
                    + "= \(requiredGracePeriod.settingsText) s; raise terminationGracePeriodSeconds or lower the timeouts"
            )
        }
    }
}
