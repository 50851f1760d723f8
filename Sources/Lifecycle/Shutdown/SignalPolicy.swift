import CIOShims
import Glibc

/// What each signal whose default action would end the process does instead: drain as SIGTERM does, or be
/// logged and ignored. Never a silent death.
///
/// A pure value: ``receive(_:)`` returns the action and counts draining signals, so a second one exits at once.
///
/// | signal | action |
/// | --- | --- |
/// | TERM, INT, QUIT | drain (a second of them: exit 130 at once) |
/// | HUP | ignored, logged: settings are read once at start, there is nothing to reload |
/// | USR1, USR2 | ignored, logged: nothing is bound to them |
/// | ALRM, VTALRM, PROF | ignored, logged: the service sets no signal timers |
///
/// Not listed here, on purpose: PIPE is ignored without a log line by the command line (`ServiceCommand`) (every write to a connection the peer
/// closed raises it); faults (SEGV, BUS, ILL, FPE, ABRT, TRAP, SYS) and resource limits (XCPU, XFSZ) keep their
/// default, because the process cannot go on safely; KILL and STOP cannot be caught.
public struct SignalPolicy: Sendable, Hashable {
    /// What a signal is for.
    public enum Disposition: Sendable, Hashable {
        /// Begin the shutdown, as SIGTERM.
        case drain
        /// Log it, with why, and carry on.
        case ignore(reason: String)
    }

    /// What the runner does on one delivery.
    public enum Action: Sendable, Hashable {
        /// The first draining signal: begin the shutdown.
        case beginDrain
        /// A later draining signal: the operator insists; exit at once.
        case exitNow
        /// Log and carry on.
        case ignore(reason: String)
    }

    /// Every handled signal and its disposition.
    public static let dispositions: [Int32: Disposition] = [
        SIGTERM: .drain, SIGINT: .drain, SIGQUIT: .drain,
        SIGHUP: .ignore(reason: "settings are read once at start, there is nothing to reload; roll the Deployment to change them"),
        SIGUSR1: .ignore(reason: "no action is bound to it"), SIGUSR2: .ignore(reason: "no action is bound to it"),
        SIGALRM: .ignore(reason: "the service sets no signal timers"), SIGVTALRM: .ignore(reason: "the service sets no signal timers"),
        SIGPROF: .ignore(reason: "the service sets no signal timers"),
    ]

    /// Draining signals received so far.
    public private(set) var drainSignals = 0

    /// Creates a policy that has seen no signal.
    public init() {}

    /// The action for one delivery of `signal`.
    public mutating func receive(_ signal: Int32) -> Action {
        switch Self.dispositions[signal] {
        case .drain:
            drainSignals += 1
            return drainSignals == 1 ? .beginDrain : .exitNow
        case .ignore(let reason):
            return .ignore(reason: reason)
        case nil:
            return .ignore(reason: "not a signal this service handles")
        }
    }

    /// The conventional name of a signal number (`SIGTERM`), as glibc spells it.
    public static func name(_ number: Int32) -> String {
        guard let abbreviation = cio_signal_abbreviation(number) else { return "signal \(number)" }
        return "SIG" + String(cString: abbreviation)
    }
}
