/// An object an ``EventLoop`` calls when a file descriptor registered with it becomes ready.
///
/// The loop calls `handleEvents` on its own thread only, so a handler must never block there.
public protocol EventLoopHandler: AnyObject, Sendable {
    /// Reacts to readiness of the handler's file descriptor; runs on `loop`'s thread.
    func handleEvents(_ events: IOEvents, on loop: EventLoop)
}

/// The token that names one registration with an ``EventLoop``.
///
/// It packs a slot index and a generation, so an event that was already fetched for a closed
/// descriptor can never reach the handler of a newer descriptor that reused the slot.
public struct EventLoopRegistration: Hashable, Sendable {
    let rawValue: UInt64

    var slot: Int { Int(truncatingIfNeeded: rawValue & 0xFFFF_FFFF) }
    var generation: UInt32 { UInt32(truncatingIfNeeded: rawValue >> 32) }

    init(slot: Int, generation: UInt32) {
        rawValue = UInt64(generation) << 32 | UInt64(UInt32(truncatingIfNeeded: slot))
    }

    init(rawValue: UInt64) {
        self.rawValue = rawValue
    }
}
