/// A validated label set, sorted by label name so that the same labels in any order name the same series.
struct MetricLabels: Hashable {
    private let names: [String]
    private let values: [String]

    /// Validates and sorts `labels`; invalid or duplicate names are programming errors.
    ///
    /// - Parameter reserved: A label name the metric type owns, such as `le` for histograms.
    init(_ labels: [(String, String)], metric: String, reserved: String? = nil) {
        let sorted = labels.sorted { $0.0 < $1.0 }
        for (index, (name, _)) in sorted.enumerated() {
            precondition(PrometheusText.isValidLabelName(name), "invalid label name \"\(name)\" on \(metric)")
            precondition(name != reserved, "label \"\(name)\" is reserved on \(metric)")
            precondition(index == 0 || sorted[index - 1].0 != name, "duplicate label \"\(name)\" on \(metric)")
        }
        names = sorted.map(\.0)
        values = sorted.map(\.1)
    }

    /// The labels in rendering order.
    var pairs: [(name: String, value: String)] {
        Array(zip(names, values))
    }
}
