import Glibc

/// A growable byte buffer with manual storage, freed as soon as it is empty.
///
/// Idle keep-alive connections therefore hold no buffer memory at all.
final class ByteBuffer {
    private var base: UnsafeMutableRawPointer?
    private var capacity = 0
    private var start = 0
    private var end = 0

    /// The bytes not yet consumed.
    var readable: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: base.map { $0 + start }, count: end - start)
    }

    /// The number of unconsumed bytes.
    var count: Int { end - start }

    var isEmpty: Bool { start == end }

    /// Appends a copy of `bytes`.
    func append(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count > 0 else { return }
        let space = writableSpace(atLeast: bytes.count)
        space.copyMemory(from: bytes)
        end += bytes.count
    }

    /// Space for at least `minimum` more bytes after the readable ones; call ``commit(_:)`` after writing into it.
    func writableSpace(atLeast minimum: Int) -> UnsafeMutableRawBufferPointer {
        if capacity - end < minimum {
            let used = end - start
            if start > 0 && capacity - used >= minimum, let base {
                memmove(base, base + start, used)
            } else {
                let newCapacity = max(capacity * 2, used + minimum, 4096)
                let newBase = malloc(newCapacity)!
                if let base {
                    memcpy(newBase, base + start, used)
                    free(base)
                }
                base = newBase
                capacity = newCapacity
            }
            start = 0
            end = used
        }
        return UnsafeMutableRawBufferPointer(start: base! + end, count: capacity - end)
    }

    /// Marks `count` bytes written into ``writableSpace(atLeast:)`` as readable.
    func commit(_ count: Int) {
        end += count
    }

    /// Drops `count` bytes from the front; frees the storage when nothing is left.
    func consume(_ count: Int) {
        start += count
        if start == end { release() }
    }

    /// Frees the storage.
    func release() {
        free(base)
        base = nil
        capacity = 0
        start = 0
        end = 0
    }

    deinit {
        free(base)
    }
}
