//! `cargo xtask ios`: static libraries for iOS devices, the iOS simulator and macOS, Swift
//! bindings, and `bindings/swift/HutongFFI.xcframework`, the binary target of the Swift package
//! in `bindings/swift` (the one Swift package apps add; see ios/README.md).

use anyhow::{bail, Context, Result};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{cargo, run};

/// One XCFramework slice: the Rust targets lipo'd into it.
struct Slice {
    name: &'static str,
    targets: &'static [&'static str],
}

const SLICES: [Slice; 3] = [
    Slice {
        name: "ios-device",
        targets: &["aarch64-apple-ios"],
    },
    Slice {
        name: "ios-simulator",
        targets: &["aarch64-apple-ios-sim", "x86_64-apple-ios"],
    },
    // A macOS slice so `swift test` runs the XCTest suite on a Mac.
    Slice {
        name: "macos",
        targets: &["aarch64-apple-darwin", "x86_64-apple-darwin"],
    },
];

/// Deployment targets matching Package.swift's `platforms`.
const IOS_DEPLOYMENT_TARGET: &str = "15.0";
const MACOS_DEPLOYMENT_TARGET: &str = "12.0";

const PACKAGE: &str = "bindings/swift";
const XCFRAMEWORK: &str = "bindings/swift/HutongFFI.xcframework";

pub fn ios(root: &Path, args: &[String]) -> Result<()> {
    // `--profile platform`: no image decoding or built-in HTTPS; the app uses CGImage and
    // `URLSessionTransport` (ADR 0011).
    let profile = match args {
        [] => crate::size::Profile::Full,
        [flag, value] if flag == "--profile" => crate::size::Profile::parse(value)?,
        _ => bail!("usage: cargo xtask ios [--profile full|platform]"),
    };
    if !cfg!(target_os = "macos") {
        bail!(
            "`cargo xtask ios` needs macOS with Xcode (xcodebuild, lipo): Apple's SDKs and \
             linkers exist only there. On Linux, `cargo xtask bindings` generates and checks the \
             Swift sources; CI builds the XCFramework in .github/workflows/macos.yml"
        );
    }
    for tool in ["xcodebuild", "lipo"] {
        let found = Command::new("xcrun")
            .args(["--find", tool])
            .output()
            .is_ok_and(|o| o.status.success());
        if !found {
            bail!("`{tool}` not found: install Xcode and run `xcode-select --install`");
        }
    }
    let all_targets: Vec<&str> = SLICES
        .iter()
        .flat_map(|s| s.targets.iter().copied())
        .collect();
    run(Command::new("rustup")
        .args(["target", "add"])
        .args(&all_targets))?;
    for target in &all_targets {
        run(cargo()
            .args(["build", "--release", "-p", "hutong-ffi", "--target", target])
            .args(profile.cargo_args())
            .env("IPHONEOS_DEPLOYMENT_TARGET", IOS_DEPLOYMENT_TARGET)
            .env("MACOSX_DEPLOYMENT_TARGET", MACOS_DEPLOYMENT_TARGET)
            // `strip = true` could take the UniFFI metadata the Swift is generated from with the
            // symbols; Xcode strips the app binary when it archives.
            .env("CARGO_PROFILE_RELEASE_STRIP", "debuginfo"))?;
    }

    let target_dir = crate::bindings::target_dir(root);
    let out = target_dir.join("xcframework");
    if out.exists() {
        fs::remove_dir_all(&out)?;
    }

    // Swift, header and modulemap from the host macOS dylib (library mode).
    run(cargo().args(["build", "-p", "uniffi-bindgen"]))?;
    let host = if cfg!(target_arch = "aarch64") {
        "aarch64-apple-darwin"
    } else {
        "x86_64-apple-darwin"
    };
    let generated = out.join("generated");
    fs::create_dir_all(&generated)?;
    run(Command::new(target_dir.join("debug/uniffi-bindgen"))
        .args(["generate", "--library", "--crate", "hutong", "--no-format"])
        .args(["--language", "swift", "--out-dir"])
        .arg(&generated)
        .arg(target_dir.join(host).join("release/libhutong.dylib")))?;

    // Headers of every slice: the C header plus `module.modulemap`, the name clang looks for.
    let headers = out.join("headers");
    fs::create_dir_all(&headers)?;
    fs::copy(generated.join("HutongFFI.h"), headers.join("HutongFFI.h"))?;
    fs::copy(
        generated.join("HutongFFI.modulemap"),
        headers.join("module.modulemap"),
    )?;

    let mut create = Command::new("xcodebuild");
    create.arg("-create-xcframework");
    for slice in &SLICES {
        let lib = slice_library(&target_dir, &out, slice)?;
        create
            .arg("-library")
            .arg(lib)
            .arg("-headers")
            .arg(&headers);
    }
    let xcframework = root.join(XCFRAMEWORK);
    if xcframework.exists() {
        fs::remove_dir_all(&xcframework)?;
    }
    create.arg("-output").arg(&xcframework);
    run(&mut create)?;

    let sources = root.join(PACKAGE).join("Sources/Hutong");
    fs::create_dir_all(&sources)?;
    fs::copy(generated.join("Hutong.swift"), sources.join("Hutong.swift"))?;
    eprintln!("xtask> {XCFRAMEWORK} and {PACKAGE}/Sources/Hutong/Hutong.swift ready; `cd {PACKAGE} && swift test`");
    Ok(())
}

/// The slice's static library: the target's own, or several lipo'd into one fat archive.
fn slice_library(target_dir: &Path, out: &Path, slice: &Slice) -> Result<PathBuf> {
    let libs: Vec<PathBuf> = slice
        .targets
        .iter()
        .map(|t| target_dir.join(t).join("release/libhutong.a"))
        .collect();
    if let [only] = libs.as_slice() {
        return Ok(only.clone());
    }
    let dir = out.join(slice.name);
    fs::create_dir_all(&dir)?;
    let fat = dir.join("libhutong.a");
    run(Command::new("xcrun")
        .arg("lipo")
        .arg("-create")
        .args(&libs)
        .arg("-output")
        .arg(&fat))
    .with_context(|| format!("lipo for {}", slice.name))?;
    Ok(fat)
}
