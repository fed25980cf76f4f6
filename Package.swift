// swift-tools-version: 6.0
import PackageDescription

// The solver and the simulation are numeric hot loops that run 20–50× slower unoptimised; `swift run
// echelon` (a debug build) must still solve the bundled sample while the dashboard is open, so these
// two modules are optimised in every configuration (later -O overrides the debug -Onone).
let optimisedEvenInDebug: [SwiftSetting] = [.unsafeFlags(["-O"], .when(configuration: .debug))]

let package = Package(
    name: "Echelon",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "echelon", targets: ["echelon"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/pointfreeco/swift-snapshot-testing", from: "1.19.7"),
    ],
    targets: [
        // ncursesw through a system library. No `pkgConfig:` on purpose: Debian's ncursesw.pc carries
        // -D_DEFAULT_SOURCE/-D_XOPEN_SOURCE, which SwiftPM drops with a warning on every build; the
        // shim defines what it needs itself and the modulemap links ncursesw and tinfo.
        .systemLibrary(
            name: "CNcursesW",
            providers: [.apt(["libncurses-dev"])]
        ),
        .target(
            name: "EchelonModel",
            dependencies: [.product(name: "TOMLKit", package: "TOMLKit")]
        ),
        .target(name: "EchelonCore", dependencies: ["EchelonModel"], swiftSettings: optimisedEvenInDebug),
        .target(
            name: "EchelonSimulation", dependencies: ["EchelonModel", "EchelonCore"],
            swiftSettings: optimisedEvenInDebug
        ),
        .target(
            name: "EchelonDashboard",
            dependencies: ["EchelonModel", "EchelonCore", .product(name: "TOMLKit", package: "TOMLKit")]
        ),
        .target(name: "EchelonTerminal", dependencies: ["CNcursesW", "EchelonDashboard"]),
        .target(
            name: "EchelonCLI",
            dependencies: [
                "EchelonModel", "EchelonCore", "EchelonSimulation", "EchelonDashboard", "EchelonTerminal",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(name: "echelon", dependencies: ["EchelonCLI"]),

        .testTarget(name: "EchelonModelTests", dependencies: ["EchelonModel"]),
        .testTarget(name: "EchelonCoreTests", dependencies: ["EchelonCore", "EchelonModel"]),
        .testTarget(name: "EchelonSimulationTests", dependencies: ["EchelonSimulation", "EchelonCore", "EchelonModel"]),
        .testTarget(
            name: "EchelonDashboardTests",
            dependencies: [
                "EchelonDashboard", "EchelonCore", "EchelonModel",
                .product(name: "SnapshotTesting", package: "swift-snapshot-testing"),
            ],
            exclude: ["__Snapshots__"]
        ),
        .testTarget(name: "EchelonTerminalTests", dependencies: ["EchelonTerminal"]),
        .testTarget(name: "EchelonCLITests", dependencies: ["EchelonCLI", "EchelonModel"]),
    ],
    swiftLanguageModes: [.v6]
)
