/// Who may pull `/prestop`: only a caller presenting the configured token in `X-Prestop-Token`, which the
/// Deployment's preStop hook sends (`httpGet.httpHeaders`).
///
/// `/prestop` turns readiness red and begins termination; without this, any pod that reaches the admin port could
/// take replicas out of the endpoints. With no token configured, every call is refused.
public struct PrestopAuthorization: Sendable, Hashable {
    /// Whether a call may begin termination.
    public enum Decision: Sendable, Hashable {
        /// The token matched.
        case allowed
        /// Refused, with a reason for the log (it never contains the token).
        case refused(String)
    }

    /// The request header that must carry the token.
    public static let headerName = "X-Prestop-Token"

    private let token: [UInt8]?

    /// Requires `token`; nil refuses every call.
    public init(token: String?) {
        self.token = token.map { Array($0.utf8) }
    }

    /// Whether any call can be allowed (a token is configured).
    public var isEnabled: Bool { token != nil }

    /// Decides on the values of every `X-Prestop-Token` field of the request.
    public func decide(presented values: [String]) -> Decision {
        guard let token else { return .refused("PRESTOP_TOKEN is not set, so /prestop is disabled") }
        guard values.count == 1, let value = values.first else {
            return .refused(values.isEmpty ? "no \(Self.headerName) header" : "\(Self.headerName) given \(values.count) times")
        }
        return Self.constantTimeEquals(Array(value.utf8), token) ? .allowed : .refused("wrong \(Self.headerName)")
    }

    /// Compares without returning at the first difference, so response timing does not reveal a matching prefix.
    static func constantTimeEquals(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        var difference: UInt8 = lhs.count == rhs.count ? 0 : 1
        for index in 0..<max(lhs.count, rhs.count) {
            difference |= (index < lhs.count ? lhs[index] : 0) ^ (index < rhs.count ? rhs[index] : 0)
        }
        return difference == 0
    }
}
