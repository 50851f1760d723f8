/// Where a ``PostgresPool`` gets the configuration of each connection it opens.
///
/// The pool asks once per connection attempt (and per fresh-connection probe), so a source that re-reads a mounted
/// Secret lets rotated credentials reach new connections while open ones keep working. It is called on the pool's
/// connect path: keep it cheap (a `stat` is fine) and never blocking on the network.
///
/// ```swift
/// let pool = PostgresPool(configurationSource: .fixed(configuration), eventLoopGroup: group)
/// ```
public struct PostgresConfigurationSource: Sendable {
    private let read: @Sendable () -> PostgresConfiguration

    /// A source that calls `current` for every connection attempt.
    public init(_ current: @escaping @Sendable () -> PostgresConfiguration) {
        read = current
    }

    /// A source that always answers `configuration`.
    public static func fixed(_ configuration: PostgresConfiguration) -> Self {
        Self { configuration }
    }

    /// The configuration for a connection opened now.
    public var current: PostgresConfiguration { read() }
}
