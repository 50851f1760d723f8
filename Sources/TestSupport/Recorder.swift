import Synchronization

/// A thread-safe list that callbacks (error reporters, request observers) append to and tests read.
public final class Recorder<Element: Sendable>: Sendable {
    private let elements = Mutex<[Element]>([])

    /// Creates an empty recorder.
    public init() {}

    /// Appends `element`.
    public func append(_ element: Element) {
        elements.withLock { $0.append(element) }
    }

    /// Everything appended so far, in order.
    public var values: [Element] { elements.withLock { $0 } }
}
