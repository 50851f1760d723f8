import Synchronization

/// Counts observations, such as request durations, into buckets with fixed upper bounds; lock-free.
///
/// Each observation adds 1 to exactly one bucket (found by binary search) and adds the value to the sum.
/// Cumulative `_bucket` counts and `_count` are computed when rendering, from one pass over the buckets,
/// so they are always consistent with each other.
// @unchecked: the only mutable state is the atomics behind `bucketCounts`, allocated in init and freed in deinit.
public final class Histogram: @unchecked Sendable {
    private let upperBounds: [Double]
    /// One count per upper bound plus a last one for `+Inf`; not cumulative.
    private let bucketCounts: UnsafeMutablePointer<Atomic<Int>>
    private let sumBits = Atomic<UInt64>(0)
    private let bucketPrefixes: [[UInt8]]
    private let sumPrefix: [UInt8]
    private let countPrefix: [UInt8]

    init(name: String, labels: MetricLabels, upperBounds: [Double]) {
        self.upperBounds = upperBounds
        bucketCounts = .allocate(capacity: upperBounds.count + 1)
        for index in 0...upperBounds.count {
            (bucketCounts + index).initialize(to: Atomic(0))
        }
        var bucketPrefixes: [[UInt8]] = []
        for bound in upperBounds + [.infinity] {
            var le: [UInt8] = []
            PrometheusText.appendValue(bound, to: &le)
            let labels = labels.pairs + [(name: "le", value: String(decoding: le, as: UTF8.self))]
            bucketPrefixes.append(PrometheusText.seriesPrefix(name + "_bucket", labels: labels))
        }
        self.bucketPrefixes = bucketPrefixes
        sumPrefix = PrometheusText.seriesPrefix(name + "_sum", labels: labels.pairs)
        countPrefix = PrometheusText.seriesPrefix(name + "_count", labels: labels.pairs)
    }

    deinit {
        bucketCounts.deinitialize(count: upperBounds.count + 1)
        bucketCounts.deallocate()
    }

    /// Records one observation; `value` falls into the first bucket whose upper bound is `>= value`.
    public func observe(_ value: Double) {
        var low = 0
        var high = upperBounds.count
        while low < high {
            let middle = (low + high) / 2
            if value <= upperBounds[middle] {
                high = middle
            } else {
                low = middle + 1
            }
        }
        bucketCounts[low].wrappingAdd(1, ordering: .relaxed)
        sumBits.addDouble(value)
    }

    func render(into output: inout [UInt8]) {
        var cumulative = 0
        for index in 0...upperBounds.count {
            cumulative += bucketCounts[index].load(ordering: .relaxed)
            output.append(contentsOf: bucketPrefixes[index])
            ASCII.appendInteger(cumulative, to: &output)
            output.append(UInt8(ascii: "\n"))
        }
        output.append(contentsOf: sumPrefix)
        PrometheusText.appendValue(sumBits.loadDouble(), to: &output)
        output.append(UInt8(ascii: "\n"))
        output.append(contentsOf: countPrefix)
        ASCII.appendInteger(cumulative, to: &output)
        output.append(UInt8(ascii: "\n"))
    }
}
