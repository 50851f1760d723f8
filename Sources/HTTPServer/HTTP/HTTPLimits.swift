/// Size limits the parser enforces; every one has a safe default.
public struct HTTPLimits: Sendable, Hashable {
    /// Longest request target, in bytes (414 beyond). Default 8 KiB.
    public var maxTargetBytes: Int
    /// Largest request head (request line and fields), in bytes (431 beyond). Default 16 KiB.
    public var maxHeadBytes: Int
    /// Most header fields in one request (431 beyond). Default 1000: nginx has no count limit, only its buffer sizes,
    /// so the head's size is the bound that matters (the default 16 KiB holds 1000 fields only if each line averages
    /// under 17 bytes); the count only caps the table a raised ``maxHeadBytes`` could fill.
    public var maxHeaderCount: Int
    /// Longest single field line, name and value, in bytes (431 beyond). Default 8 KiB, nginx's
    /// (`large_client_header_buffers`): a request nginx in front of the service would refuse is refused here too.
    public var maxFieldLineBytes: Int
    /// Largest request body after de-chunking, in bytes (413 beyond). Default 1 MiB.
    public var maxBodyBytes: Int

    /// Creates limits; each parameter defaults to the value its property documents.
    public init(
        maxTargetBytes: Int = 8 * 1024, maxHeadBytes: Int = 16 * 1024, maxHeaderCount: Int = 1000, maxBodyBytes: Int = 1 << 20,
        maxFieldLineBytes: Int = 8 * 1024
    ) {
        self.maxTargetBytes = maxTargetBytes
        self.maxHeadBytes = maxHeadBytes
        self.maxHeaderCount = maxHeaderCount
        self.maxBodyBytes = maxBodyBytes
        self.maxFieldLineBytes = maxFieldLineBytes
    }
}
