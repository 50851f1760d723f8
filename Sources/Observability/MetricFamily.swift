/// All series sharing one metric name: one `HELP` and `TYPE` header, then the samples in creation order.
struct MetricFamily: Sendable {
    /// The metric type, as written after `# TYPE`.
    enum Kind: Equatable, Sendable {
        case counter
        case gauge
        case histogram(upperBounds: [Double])

        var typeName: String {
            switch self {
            case .counter: "counter"
            case .gauge: "gauge"
            case .histogram: "histogram"
            }
        }
    }

    /// One series: a live metric, or a closure read at scrape time.
    enum Series: Sendable {
        case counter(Counter)
        case gauge(Gauge)
        case histogram(Histogram)
        case read(prefix: [UInt8], read: @Sendable () -> Double)

        func render(into output: inout [UInt8]) {
            switch self {
            case .counter(let counter):
                counter.render(into: &output)
            case .gauge(let gauge):
                gauge.render(into: &output)
            case .histogram(let histogram):
                histogram.render(into: &output)
            case .read(let prefix, let read):
                output.append(contentsOf: prefix)
                PrometheusText.appendValue(read(), to: &output)
                output.append(UInt8(ascii: "\n"))
            }
        }
    }

    let name: String
    let help: String
    let kind: Kind
    /// `# HELP …` and `# TYPE …`, rendered once.
    let header: [UInt8]
    private(set) var series: [Series] = []
    private var indexByLabels: [MetricLabels: Int] = [:]

    init(name: String, help: String, kind: Kind) {
        self.name = name
        self.help = help
        self.kind = kind
        var header = Array("# HELP \(name) ".utf8)
        PrometheusText.appendHelp(help, to: &header)
        header.append(contentsOf: "\n# TYPE \(name) \(kind.typeName)\n".utf8)
        self.header = header
    }

    /// The series with exactly these labels, if any.
    func series(for labels: MetricLabels) -> Series? {
        indexByLabels[labels].map { series[$0] }
    }

    /// Adds a series, or replaces the one with the same labels.
    mutating func set(_ newSeries: Series, for labels: MetricLabels) {
        if let index = indexByLabels[labels] {
            series[index] = newSeries
        } else {
            indexByLabels[labels] = series.count
            series.append(newSeries)
        }
    }

    func render(into output: inout [UInt8]) {
        output.append(contentsOf: header)
        for series in series {
            series.render(into: &output)
        }
    }
}
