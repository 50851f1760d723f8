import Synchronization

/// Holds every metric of the process and renders them in the Prometheus text format.
///
/// Metrics are get-or-create and thread-safe: asking twice for the same name and labels returns the same
/// object. Keep the returned object on the hot path; the lookup takes a lock, updating it does not.
/// Names and label names are validated, and asking for an existing name with a different type, help text
/// or bucket layout is a programming error (a precondition failure).
///
/// ```swift
/// let metrics = MetricsRegistry()
/// let requests = metrics.counter("http_requests_total", help: "Requests served.", labels: [("status", "200")])
/// requests.increment()
/// ProcessMetrics.register(into: metrics)
/// let body = metrics.render()  // serve with MetricsRegistry.contentType
/// ```
public final class MetricsRegistry: Sendable {
    /// The `Content-Type` of ``render()``'s output.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    private struct State {
        var families: [MetricFamily] = []
        var indexByName: [String: Int] = [:]

        /// The index of the family called `name`, created if new; a mismatched type or help is a programming error.
        mutating func familyIndex(_ name: String, help: String, kind: MetricFamily.Kind) -> Int {
            if let index = indexByName[name] {
                let family = families[index]
                precondition(
                    family.kind == kind,
                    "metric \(name) is already registered as \(family.kind) and cannot be registered as \(kind)"
                )
                precondition(family.help == help, "metric \(name) is already registered with different help text")
                return index
            }
            precondition(PrometheusText.isValidMetricName(name), "invalid metric name \"\(name)\"")
            indexByName[name] = families.count
            families.append(MetricFamily(name: name, help: help, kind: kind))
            return families.count - 1
        }
    }

    private let state = Mutex(State())
    /// The last output size, so the next render allocates once.
    private let renderedBytes = Atomic<Int>(0)

    /// Creates an empty registry.
    public init() {}

    /// Returns the counter with this name and labels, creating it on first use.
    ///
    /// - Parameters:
    ///   - name: The metric name, by convention ending in `_total`.
    ///   - help: One line describing the metric; must match earlier registrations of `name`.
    ///   - labels: Label names and values; order does not matter. Keep values low-cardinality.
    public func counter(_ name: String, help: String, labels: [(String, String)] = []) -> Counter {
        let labels = MetricLabels(labels, metric: name)
        return getOrCreate(name, help: help, kind: .counter, labels: labels) {
            .counter(Counter(prefix: PrometheusText.seriesPrefix(name, labels: labels.pairs)))
        } extract: {
            if case .counter(let counter) = $0 { counter } else { nil }
        }
    }

    /// Returns the gauge with this name and labels, creating it on first use.
    ///
    /// - Parameters:
    ///   - name: The metric name.
    ///   - help: One line describing the metric; must match earlier registrations of `name`.
    ///   - labels: Label names and values; order does not matter.
    public func gauge(_ name: String, help: String, labels: [(String, String)] = []) -> Gauge {
        let labels = MetricLabels(labels, metric: name)
        return getOrCreate(name, help: help, kind: .gauge, labels: labels) {
            .gauge(Gauge(prefix: PrometheusText.seriesPrefix(name, labels: labels.pairs)))
        } extract: {
            if case .gauge(let gauge) = $0 { gauge } else { nil }
        }
    }

    /// Returns the histogram with this name and labels, creating it on first use.
    ///
    /// - Parameters:
    ///   - name: The metric name, by convention with a base unit such as `_seconds`.
    ///   - help: One line describing the metric; must match earlier registrations of `name`.
    ///   - labels: Label names and values; `le` is reserved.
    ///   - buckets: Finite upper bounds in strictly ascending order; `+Inf` is implied and may be omitted.
    ///     Every series of a family must use the same buckets.
    public func histogram(
        _ name: String,
        help: String,
        labels: [(String, String)] = [],
        buckets: [Double]
    ) -> Histogram {
        let labels = MetricLabels(labels, metric: name, reserved: "le")
        let upperBounds = buckets.last == .infinity ? Array(buckets.dropLast()) : buckets
        for (index, bound) in upperBounds.enumerated() {
            precondition(bound.isFinite, "histogram \(name) has a non-finite bucket bound \(bound)")
            precondition(index == 0 || upperBounds[index - 1] < bound, "histogram \(name) buckets must ascend")
        }
        return getOrCreate(name, help: help, kind: .histogram(upperBounds: upperBounds), labels: labels) {
            .histogram(Histogram(name: name, labels: labels, upperBounds: upperBounds))
        } extract: {
            if case .histogram(let histogram) = $0 { histogram } else { nil }
        }
    }

    /// Registers a gauge whose value `read` returns at each scrape; registering again replaces `read`.
    ///
    /// - Parameters:
    ///   - name: The metric name.
    ///   - help: One line describing the metric; must match earlier registrations of `name`.
    ///   - labels: Label names and values; order does not matter.
    ///   - read: Called during ``render()`` without the registry's lock held; keep it fast.
    public func gauge(
        _ name: String,
        help: String,
        labels: [(String, String)] = [],
        read: @escaping @Sendable () -> Double
    ) {
        register(name, help: help, kind: .gauge, labels: MetricLabels(labels, metric: name), read: read)
    }

    /// Registers a counter whose value `read` returns at each scrape; registering again replaces `read`.
    ///
    /// - Parameters:
    ///   - name: The metric name, by convention ending in `_total`.
    ///   - help: One line describing the metric; must match earlier registrations of `name`.
    ///   - labels: Label names and values; order does not matter.
    ///   - read: Called during ``render()`` without the registry's lock held; must never decrease.
    public func counter(
        _ name: String,
        help: String,
        labels: [(String, String)] = [],
        read: @escaping @Sendable () -> Double
    ) {
        register(name, help: help, kind: .counter, labels: MetricLabels(labels, metric: name), read: read)
    }

    /// Renders every family, in registration order, in the Prometheus text exposition format 0.0.4.
    public func render() -> [UInt8] {
        // Copy the families out (copy-on-write, no deep copy) so read closures run without the lock.
        let families = state.withLock { $0.families }
        var output: [UInt8] = []
        output.reserveCapacity(renderedBytes.load(ordering: .relaxed) + 256)
        for family in families {
            family.render(into: &output)
        }
        renderedBytes.store(output.count, ordering: .relaxed)
        return output
    }

    private func getOrCreate<Metric: Sendable>(
        _ name: String,
        help: String,
        kind: MetricFamily.Kind,
        labels: MetricLabels,
        make: () -> MetricFamily.Series,
        extract: (MetricFamily.Series) -> Metric?
    ) -> Metric {
        state.withLock { state in
            let familyIndex = state.familyIndex(name, help: help, kind: kind)
            if let existing = state.families[familyIndex].series(for: labels) {
                guard let metric = extract(existing) else {
                    preconditionFailure("\(name)\(labels.pairs) is already registered as read at scrape time")
                }
                return metric
            }
            let created = make()
            state.families[familyIndex].set(created, for: labels)
            return extract(created)!
        }
    }

    private func register(
        _ name: String,
        help: String,
        kind: MetricFamily.Kind,
        labels: MetricLabels,
        read: @escaping @Sendable () -> Double
    ) {
        let series = MetricFamily.Series.read(
            prefix: PrometheusText.seriesPrefix(name, labels: labels.pairs), read: read)
        state.withLock { state in
            let familyIndex = state.familyIndex(name, help: help, kind: kind)
            switch state.families[familyIndex].series(for: labels) {
            case nil, .read:
                state.families[familyIndex].set(series, for: labels)
            case .counter, .gauge, .histogram:
                preconditionFailure("\(name)\(labels.pairs) is already registered as a live metric")
            }
        }
    }
}
