// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "asyncplay",
    products: [
        .executable(name: "asyncplay", targets: ["asyncplay"]),
        .library(name: "AsyncPlay", targets: ["AsyncPlay"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
    ],
    targets: [
        // Values and time every layer shares: Instant and TimeAmount, Python values and
        // exceptions as the learner sees them.
        .target(name: "AsyncPlayCore"),
        // The language: lexer, parser, the command table, scripts. Knows no loop.
        .target(name: "AsyncPlayLanguage", dependencies: ["AsyncPlayCore"]),
        // The tables the loop and the session keep their state in: the one target with
        // unsafe code, and the one whose storage opts out of dynamic exclusivity checks.
        .target(name: "AsyncPlayCollections"),
        // The asyncio-style event loop: futures, tasks, handles, timers, the executor,
        // clocks. Knows no commands, no session, no screens.
        .target(
            name: "AsyncPlayLoop",
            dependencies: [
                "AsyncPlayCore", "AsyncPlayCollections",
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "HeapModule", package: "swift-collections"),
            ]
        ),
        // What a session reports, as plain values: the one stream every view is drawn from.
        .target(name: "AsyncPlayEvents", dependencies: ["AsyncPlayCore", "AsyncPlayLanguage"]),
        // The session: commands run as asyncio's main coroutine on the loop, reported as
        // records. Knows no screens.
        .target(
            name: "AsyncPlaySession",
            dependencies: [
                "AsyncPlayCore", "AsyncPlayCollections", "AsyncPlayLanguage", "AsyncPlayLoop", "AsyncPlayEvents",
            ]
        ),
        // `export python`: a script's lines as an asyncio program. Knows the language only.
        .target(name: "AsyncPlayExport", dependencies: ["AsyncPlayCore", "AsyncPlayLanguage"]),
        // The views (transcript, JSON Lines, status, timeline, tree, why, trace, help): they
        // read records only, never the loop or the session.
        .target(name: "AsyncPlayRender",
                dependencies: ["AsyncPlayCore", "AsyncPlayCollections", "AsyncPlayLanguage", "AsyncPlayEvents",
                               "AsyncPlayExport"]),
        // The umbrella: running a script (ScriptRunner) and transcripts; re-exports the layers.
        .target(
            name: "AsyncPlay",
            dependencies: ["AsyncPlayCore", "AsyncPlayLanguage", "AsyncPlayLoop", "AsyncPlayEvents",
                           "AsyncPlaySession", "AsyncPlayExport", "AsyncPlayRender"]
        ),
        // libedit (BSD editline) for the interactive shell; apt package libedit-dev.
        .systemLibrary(
            name: "CEditLine",
            pkgConfig: "libedit",
            providers: [.apt(["libedit-dev"])]
        ),
        // The command line: `run`, `check`, `export`, and the interactive shell.
        .executableTarget(
            name: "asyncplay",
            dependencies: [
                "AsyncPlay",
                "CEditLine",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            linkerSettings: [
                // The Swift runtime linked in, not loaded: resolving its symbols is most of
                // a short script's start-up (PERFORMANCE.md). ArgumentParser imports
                // FoundationEssentials, whose static archive needs these two named after it.
                .unsafeFlags(["-static-stdlib", "-l_FoundationCollections", "-l_FoundationCShims"], .when(configuration: .release)),
            ]
        ),
        .testTarget(
            name: "AsyncPlayTests",
            dependencies: ["AsyncPlay", "AsyncPlayCore", "AsyncPlayLanguage", "AsyncPlayLoop", "AsyncPlayEvents",
                           "AsyncPlaySession", "AsyncPlayExport", "AsyncPlayRender"],
            exclude: []
        ),
    ]
)
