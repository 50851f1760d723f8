public import HTTPServer

/// Installs `/livez` and `/readyz` (with per-check sub-paths, `?verbose` and `?exclude=`) in the
/// style of kube-apiserver.
///
/// On the traffic port failure reasons are withheld (they are logged); on the admin port
/// (`detailed`) they are shown. A failing probe answers 503.
public enum HealthRoutes {
    /// Adds the probe routes to `router`; `onFailure` is called with each failing check (log it).
    public static func install(
        into router: inout Router, registry: HealthRegistry, detailed: Bool,
        onFailure: @escaping @Sendable (_ probe: String, _ result: NamedHealthResult) -> Void = { _, _ in }
    ) {
        for probe in ["livez", "readyz"] {
            let evaluate: @Sendable (String?, Set<String>) async -> [NamedHealthResult]? = { only, excluded in
                probe == "livez"
                    ? await registry.liveness(only: only, excluding: excluded)
                    : await registry.readiness(only: only, excluding: excluded)
            }
            let handler: Handler = { request in
                guard let results = await evaluate(request.parameters["check"], excludedChecks(request)) else {
                    throw HTTPError(.notFound, detail: "No such check.")
                }
                for result in results where !result.result.isHealthy { onFailure(probe, result) }
                return render(probe: probe, results: results, request: request, detailed: detailed)
            }
            router.get("/\(probe)", use: handler)
            router.get("/\(probe)/{check}", use: handler)
        }
    }

    private static let okBody = Array(#"{"status":"ok"}"#.utf8)
    private static let failedBody = Array(#"{"status":"failed"}"#.utf8)

    static func excludedChecks(_ request: Request) -> Set<String> {
        guard let query = request.query else { return [] }
        var excluded = Set<String>()
        for pair in query.split(separator: "&") where pair.hasPrefix("exclude=") {
            excluded.insert(String(pair.dropFirst("exclude=".count)))
        }
        return excluded
    }

    static func render(probe: String, results: [NamedHealthResult], request: Request, detailed: Bool) -> Response {
        let healthy = results.allSatisfy(\.result.isHealthy)
        let status: HTTPStatus = healthy ? .ok : .serviceUnavailable
        let verbose = request.query.map { $0.split(separator: "&").contains { $0 == "verbose" || $0.hasPrefix("verbose=") } } ?? false
        guard verbose else {
            return .json(bytes: healthy ? okBody : failedBody, status: status)
        }
        var text = ""
        for result in results {
            if result.result.isHealthy {
                text += "[+]\(result.name) ok\n"
            } else {
                text += "[-]\(result.name) failed: \(detailed ? result.result.reason ?? "unknown" : "reason withheld")\n"
            }
        }
        text += healthy ? "\(probe) check passed\n" : "\(probe) check failed\n"
        return .text(text, status: status)
    }
}
