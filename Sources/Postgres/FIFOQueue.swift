/// A first-in first-out queue: an array read from a moving head, compacted as it drains.
///
/// `Array.removeFirst()` shifts every remaining element; with hundreds of callers waiting for a pool connection
/// that was one memmove of the whole queue per lease. Here taking the first element is O(1) amortized.
struct FIFOQueue<Element>: Sequence {
    private var storage: [Element] = []
    private var head = 0

    var isEmpty: Bool { head == storage.count }
    var count: Int { storage.count - head }
    var first: Element? { isEmpty ? nil : storage[head] }

    mutating func append(_ element: Element) {
        storage.append(element)
    }

    /// Removes and returns the oldest element; the queue must not be empty.
    @discardableResult
    mutating func removeFirst() -> Element {
        precondition(!isEmpty, "removeFirst on an empty FIFOQueue")
        let element = storage[head]
        head += 1
        if head == storage.count {
            storage.removeAll(keepingCapacity: true)
            head = 0
        } else if head >= 32 && head * 2 >= storage.count {
            storage.removeFirst(head)
            head = 0
        }
        return element
    }

    /// Removes the oldest element matching `predicate`; returns whether one was found.
    mutating func removeFirst(where predicate: (Element) -> Bool) -> Bool {
        guard let index = storage[head...].firstIndex(where: predicate) else { return false }
        if index == head {
            removeFirst()
        } else {
            storage.remove(at: index)
        }
        return true
    }

    mutating func removeAll() {
        storage.removeAll(keepingCapacity: true)
        head = 0
    }

    func makeIterator() -> ArraySlice<Element>.Iterator {
        storage[head...].makeIterator()
    }
}

extension FIFOQueue: Sendable where Element: Sendable {}
