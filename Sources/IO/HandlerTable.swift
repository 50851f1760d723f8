/// The slots that map epoll tokens to handlers; reused slots get a new generation.
struct HandlerTable {
    private struct Entry {
        var generation: UInt32 = 0
        var handler: (any EventLoopHandler)?
    }

    private var entries: [Entry] = []
    private var freeSlots: [Int] = []

    /// The number of live registrations.
    private(set) var count = 0

    mutating func insert(_ handler: any EventLoopHandler) -> EventLoopRegistration {
        count += 1
        if let slot = freeSlots.popLast() {
            entries[slot].generation &+= 1
            entries[slot].handler = handler
            return EventLoopRegistration(slot: slot, generation: entries[slot].generation)
        }
        entries.append(Entry(generation: 0, handler: handler))
        return EventLoopRegistration(slot: entries.count - 1, generation: 0)
    }

    func handler(for registration: EventLoopRegistration) -> (any EventLoopHandler)? {
        let slot = registration.slot
        guard slot < entries.count, entries[slot].generation == registration.generation else { return nil }
        return entries[slot].handler
    }

    @discardableResult
    mutating func remove(_ registration: EventLoopRegistration) -> Bool {
        let slot = registration.slot
        guard slot < entries.count, entries[slot].generation == registration.generation,
            entries[slot].handler != nil
        else { return false }
        entries[slot].handler = nil
        freeSlots.append(slot)
        count -= 1
        return true
    }
}
