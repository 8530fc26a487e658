// swift-tools-version:5.10
// 5.10: the generated Swift uses `nonisolated(unsafe)` (SE-0412), which Swift 5.9 rejects.
// Dev package for the generated Swift bindings, tested with `swift test` on macOS.
//
// `cargo xtask bindings` writes Sources/Hutong/Hutong.swift and Sources/HutongFFI/HutongFFI.{h,modulemap}
// (gitignored). The binary target is the XCFramework that `cargo xtask ios` assembles from the
// static library and that header (with the modulemap renamed module.modulemap), including a macOS
// slice so these tests run on a Mac. No Swift toolchain exists on our Linux CI: there the xtask
// only checks that the generated files exist and name every exported item.
import PackageDescription

let package = Package(
    name: "Hutong",
    platforms: [.iOS(.v15), .macOS(.v12)],
    products: [
        .library(name: "Hutong", targets: ["Hutong"]),
    ],
    targets: [
        .binaryTarget(name: "HutongFFI", path: "HutongFFI.xcframework"),
        .target(name: "Hutong", dependencies: ["HutongFFI"], path: "Sources/Hutong"),
        .testTarget(name: "HutongTests", dependencies: ["Hutong"], path: "Tests/HutongTests"),
    ]
)
