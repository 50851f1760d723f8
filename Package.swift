// swift-tools-version:6.2
import PackageDescription

// Upcoming features the anchor packages (swift-log, Hummingbird, postgres-nio) build with.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),  // SE-0335: `any` spelled out
    .enableUpcomingFeature("MemberImportVisibility"),  // SE-0444: imports are explicit per file
    .enableUpcomingFeature("InternalImportsByDefault"),  // SE-0409: C modules stay out of public API
    // SE-0461: a nonisolated async function runs on its caller's executor instead of hopping to the global one.
    // Every request crosses several (responder, router, handler, health checks); each hop costs a
    // `swift_task_switch` with a 16-byte compare-and-swap.
    .enableUpcomingFeature("NonisolatedNonsendingByDefault"),
    .enableExperimentalFeature("StrictConcurrency=complete"),
]

let package = Package(
    name: "swift-service-template",
    products: [
        // The example service. `make rename NAME=...` renames it; replace Sources/App with your own service.
        .executable(name: "service", targets: ["App"]),
        // The smallest service on the kit: proof that an application needs only ServiceKit's public API.
        .executable(name: "minimal-service", targets: ["MinimalService"]),
        .library(name: "ServiceKit", targets: ["ServiceKit"]),
    ],
    // The product decision: toolchain and libpq only. Nothing else to build, audit or update.
    dependencies: [],
    targets: [
        .systemLibrary(
            name: "CLibPQ",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"]), .brew(["libpq"])]
        ),
        // Linux headers (epoll, eventfd, affinity) that the Glibc module does not export.
        .target(name: "CIOShims"),
        // Logs and Prometheus metrics: the bottom layer everything else reports through.
        .target(name: "Observability", dependencies: ["CIOShims"], swiftSettings: swiftSettings),
        // epoll event loops, sockets and syscalls.
        .target(name: "IO", dependencies: ["CIOShims"], swiftSettings: swiftSettings),
        // The HTTP/1.1 server: parser, connections, router, responses.
        .target(name: "HTTPServer", dependencies: ["IO", "Observability"], swiftSettings: swiftSettings),
        // PostgreSQL through libpq's asynchronous API, and the connection pool.
        .target(name: "Postgres", dependencies: ["CLibPQ", "IO", "Observability"], swiftSettings: swiftSettings),
        // Settings, lifespan, probes, admin port and the SIGTERM drain: the Kubernetes contract. Postgres: libpq
        // validates DATABASE_URL, and a mounted Secret's changes reach the pool's new connections.
        .target(
            name: "Lifecycle",
            dependencies: ["CIOShims", "HTTPServer", "IO", "Observability", "Postgres"],
            swiftSettings: swiftSettings
        ),
        // The kit every service is built on: wiring, admin port, metrics, migrations, lifespan, probes, drain and
        // the command line (`serve`, `migrate`, `check-config`, `describe`). Applications import only this.
        .target(
            name: "ServiceKit",
            dependencies: ["HTTPServer", "IO", "Lifecycle", "Observability", "Postgres"],
            swiftSettings: swiftSettings
        ),
        // The example application (the items API): yours to change or replace.
        .executableTarget(
            name: "App",
            dependencies: ["ServiceKit"],
            // Compiled in as `PackageResources.openapi_json`: no Bundle, no file to ship beside the binary.
            resources: [.embedInCode("openapi.json")],
            swiftSettings: swiftSettings
        ),
        .executableTarget(name: "MinimalService", dependencies: ["ServiceKit"], swiftSettings: swiftSettings),
        // libFuzzer target for the request parser; without `-D FUZZING` it replays a corpus.
        .executableTarget(name: "HTTPParserFuzz", dependencies: ["HTTPServer"], swiftSettings: swiftSettings),
        .target(
            name: "TestSupport",
            dependencies: ["HTTPServer", "IO", "Observability", "Postgres"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "IOTests",
            dependencies: ["IO"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "HTTPServerTests",
            dependencies: ["HTTPServer", "IO", "TestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "PostgresTests",
            dependencies: ["Postgres", "IO", "Observability", "TestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ObservabilityTests",
            dependencies: ["Observability", "TestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "LifecycleTests",
            dependencies: ["CLibPQ", "Lifecycle", "HTTPServer", "Observability", "TestSupport"],
            swiftSettings: swiftSettings
        ),
        // The real `service` binary against a real PostgreSQL over real TCP: the Kubernetes contract end to end.
        // It runs the executable that `swift build --build-tests` builds next to the test bundle.
        .testTarget(
            name: "ServiceTests",
            dependencies: ["TestSupport", "Postgres", "IO", "HTTPServer"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ServiceKitTests",
            dependencies: ["ServiceKit", "Postgres", "Lifecycle", "HTTPServer", "TestSupport"],
            swiftSettings: swiftSettings
        ),
        // The example's own tests: they go when Sources/App goes.
        .testTarget(
            name: "AppTests",
            dependencies: ["App", "ServiceKit", "TestSupport"],
            swiftSettings: swiftSettings
        ),
    ],
    swiftLanguageModes: [.v6]
)
