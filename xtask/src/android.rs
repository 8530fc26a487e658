//! Android packaging: `cargo xtask android` (the AAR, through Gradle), `android-native` (what
//! the Gradle build calls: cargo-ndk per ABI + Kotlin generation) and `android-jvm` (the
//! Android-API Kotlin compiled against the framework jar, and its plain-Kotlin logic tested on
//! this JVM; part of `cargo xtask test`).

use anyhow::{bail, Context, Result};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{cargo, run};

/// ABIs shipped in the AAR: phones (arm64-v8a), old 32-bit phones, the emulator.
const ABIS: [(&str, &str); 3] = [
    ("arm64-v8a", "aarch64-linux-android"),
    ("armeabi-v7a", "armv7-linux-androideabi"),
    ("x86_64", "x86_64-linux-android"),
];

/// Android 15+ devices may run 16 KB pages; Play requires 64-bit libraries aligned for them.
/// 16 KB pages (Android 15 devices), and relative relocations packed in Android's APS2 format
/// (lld; loaded from API 23, below our minSdk): the table shrinks from ~250 KB to a few KB.
/// `--no-undefined`: a shared library links with unresolved symbols and only fails in
/// `System.loadLibrary` on the phone; this fails the build instead (it caught an SQLite option
/// that left the parser calling a removed function, 2026-12-06).
pub const ANDROID_LINK_FLAGS: &str = "-C link-arg=-Wl,-z,max-page-size=16384 \
     -C link-arg=-Wl,--pack-dyn-relocs=android -C link-arg=-Wl,--no-undefined";
/// C compiled into the app library (SQLite, ring's C) carries no unwind tables: no Rust panic
/// unwinds through it, since neither calls back into Rust, so its `.eh_frame` entries served only
/// debuggers and crash reporters, which lose the frames above a crash inside SQLite or ring.
/// 78 KiB of the arm64 library (ADR 0012). Rust code keeps its tables: `catch_unwind` needs them.
pub const APP_C_FLAGS: &str = "-fno-asynchronous-unwind-tables -fno-unwind-tables";

/// The variable the `cc` crate reads for one target's C flags, and its value: `APP_C_FLAGS`
/// after whatever the caller's environment already gave that target (`cc`'s own order: the
/// target's variables, then `TARGET_CFLAGS`, then `CFLAGS`), which setting it would otherwise
/// hide. cargo-ndk puts its `--target` in front.
pub fn app_c_flags(triple: &str) -> (String, String) {
    // The spelling with the triple as it is comes first in `cc`'s order, so setting it wins.
    let var = format!("CFLAGS_{triple}");
    let given = [
        var.clone(),
        format!("CFLAGS_{}", triple.replace('-', "_")),
        "TARGET_CFLAGS".into(),
        "CFLAGS".into(),
    ]
    .iter()
    .find_map(|v| std::env::var(v).ok());
    let value = match given {
        Some(g) if !g.trim().is_empty() => format!("{} {APP_C_FLAGS}", g.trim()),
        _ => APP_C_FLAGS.to_string(),
    };
    (var, value)
}

const PAGE_SIZE: u64 = 16384;
/// android/hutong/build.gradle.kts `minSdk`.
const MIN_SDK: &str = "24";

const JNI_LIBS: &str = "android/hutong/build/rustJniLibs";
const GENERATED_KOTLIN: &str = "android/hutong/build/generated/source/uniffi/kotlin";

pub struct NativeOptions {
    jni_libs: PathBuf,
    kotlin: PathBuf,
    /// `full` (default) or `platform`: what goes into the AAR (ADR 0011, README "Library size").
    profile: crate::size::Profile,
}

impl NativeOptions {
    pub fn parse(root: &Path, args: &[String]) -> Result<NativeOptions> {
        let mut opts = NativeOptions {
            jni_libs: root.join(JNI_LIBS),
            kotlin: root.join(GENERATED_KOTLIN),
            profile: crate::size::Profile::Full,
        };
        for pair in args.chunks(2) {
            let [flag, value] = pair else {
                bail!("`{}` needs a value after it", pair[0]);
            };
            match flag.as_str() {
                "--jni-libs" => opts.jni_libs = PathBuf::from(value),
                "--kotlin" => opts.kotlin = PathBuf::from(value),
                "--profile" => opts.profile = crate::size::Profile::parse(value)?,
                other => bail!("unknown option `{other}` for `cargo xtask android-native`"),
            }
        }
        Ok(opts)
    }
}

/// `cargo xtask android`: the one command that builds the AAR (needs the SDK and NDK).
pub fn android(root: &Path) -> Result<()> {
    let dir = root.join("android");
    let wrapper = dir.join("gradlew");
    let mut gradle = if wrapper.exists() {
        Command::new(wrapper)
    } else {
        Command::new("gradle")
    };
    gradle
        .current_dir(&dir)
        .args([":hutong:assembleRelease", "--console=plain"]);
    if std::env::var_os("ANDROID_HOME").is_none() && !dir.join("local.properties").exists() {
        bail!(
            "no Android SDK: set ANDROID_HOME (or write sdk.dir to android/local.properties) \
             and install the NDK (see android/README.md)"
        );
    }
    run(&mut gradle).context(
        "Gradle failed (is Gradle 8.11+ on PATH, or `gradle wrapper` run once in android/?)",
    )?;
    eprintln!("xtask> AAR: android/hutong/build/outputs/aar/hutong-release.aar");
    Ok(())
}

/// `cargo xtask android-native`: libhutong.so for every ABI into `jni_libs`, Kotlin into `kotlin`.
pub fn android_native(root: &Path, opts: &NativeOptions) -> Result<()> {
    let probe = Command::new("cargo").args(["ndk", "--version"]).output();
    if !probe.is_ok_and(|o| o.status.success()) {
        bail!("cargo-ndk is missing: `cargo install cargo-ndk --locked`");
    }
    if ["ANDROID_NDK_HOME", "ANDROID_NDK_ROOT", "ANDROID_HOME"]
        .iter()
        .all(|v| std::env::var_os(v).is_none())
    {
        bail!("no Android NDK: set ANDROID_NDK_HOME (cargo-ndk reads it) or ANDROID_HOME with ndk/ inside");
    }
    run(Command::new("rustup")
        .args(["target", "add"])
        .args(ABIS.map(|(_, triple)| triple)))?;

    let mut ndk = cargo();
    // The API level of the NDK's libc to link against: the AAR's minSdk.
    ndk.args(["ndk", "--platform", MIN_SDK]);
    for (abi, _) in ABIS {
        ndk.args(["-t", abi]);
    }
    ndk.arg("-o")
        .arg(&opts.jni_libs)
        .args(["build", "--release", "-p", "hutong-ffi"])
        .args(opts.profile.cargo_args())
        // The release profile's `strip = true` would drop the symbol table, and with it the
        // UniFFI metadata the Kotlin is generated from (ELF keeps it only in .symtab). Keep
        // symbols here; AGP strips the libraries when it packages the AAR and the app.
        .env("CARGO_PROFILE_RELEASE_STRIP", "debuginfo");
    // Per-target variables: they reach only the Android targets, not build scripts on the host.
    for (_, triple) in ABIS {
        let var = format!(
            "CARGO_TARGET_{}_RUSTFLAGS",
            triple.to_uppercase().replace('-', "_")
        );
        let (c_var, c_flags) = app_c_flags(triple);
        ndk.env(var, ANDROID_LINK_FLAGS).env(c_var, c_flags);
    }
    run(&mut ndk)?;

    for (abi, triple) in ABIS {
        let lib = opts.jni_libs.join(abi).join("libhutong.so");
        let bytes = fs::read(&lib).with_context(|| format!("cargo-ndk did not write {lib:?}"))?;
        // 16 KB pages exist only on 64-bit devices; the 32-bit library may keep 4 KB.
        if triple.starts_with("armv7") {
            continue;
        }
        let align = min_load_alignment(&bytes).with_context(|| format!("reading {lib:?}"))?;
        if align < PAGE_SIZE {
            bail!(
                "{lib:?} has LOAD segments aligned to {align} bytes, not {PAGE_SIZE}: the page-size \
                 flags did not reach the linker (is RUSTFLAGS or CARGO_ENCODED_RUSTFLAGS set in \
                 the environment? they override per-target flags)"
            );
        }
        eprintln!(
            "xtask> {abi}: {} bytes, LOAD alignment {align}",
            bytes.len()
        );
    }

    // Kotlin from the arm64 library (library mode reads any target's metadata), with the
    // Android overrides (system cleaner) merged over uniffi.toml.
    run(cargo().args(["build", "-p", "uniffi-bindgen"]))?;
    let bindgen = crate::bindings::target_dir(root).join("debug/uniffi-bindgen");
    if opts.kotlin.exists() {
        fs::remove_dir_all(&opts.kotlin)?;
    }
    fs::create_dir_all(&opts.kotlin)?;
    run(Command::new(bindgen)
        .args(["generate", "--library", "--crate", "hutong", "--no-format"])
        .args(["--language", "kotlin", "--config"])
        .arg(root.join("bindings/hutong-ffi/uniffi-android.toml"))
        .arg("--out-dir")
        .arg(&opts.kotlin)
        .arg(opts.jni_libs.join("arm64-v8a/libhutong.so")))?;
    eprintln!(
        "xtask> Android libraries in {:?}, Kotlin in {:?}",
        opts.jni_libs, opts.kotlin
    );
    Ok(())
}

/// The smallest `p_align` of the PT_LOAD segments of a 64-bit little-endian ELF file.
fn min_load_alignment(elf: &[u8]) -> Result<u64> {
    const PT_LOAD: u32 = 1;
    if elf.len() < 64 || &elf[..4] != b"\x7fELF" {
        bail!("not an ELF file");
    }
    if elf[4] != 2 || elf[5] != 1 {
        bail!("not a 64-bit little-endian ELF file");
    }
    let u16_at = |at: usize| u16::from_le_bytes([elf[at], elf[at + 1]]);
    let phoff = u64::from_le_bytes(elf[0x20..0x28].try_into()?) as usize;
    let phentsize = usize::from(u16_at(0x36));
    let phnum = usize::from(u16_at(0x38));
    let mut min = None;
    for i in 0..phnum {
        let at = phoff.saturating_add(i.saturating_mul(phentsize));
        let header = elf
            .get(at..at.saturating_add(56))
            .context("program header table runs past the end of the file")?;
        let kind = u32::from_le_bytes(header[0..4].try_into()?);
        if kind == PT_LOAD {
            let align = u64::from_le_bytes(header[0x30..0x38].try_into()?);
            min = Some(min.map_or(align, |m: u64| m.min(align)));
        }
    }
    min.context("no LOAD segment")
}

/// `cargo xtask android-jvm`: compiles the Android library's Kotlin (CameraX analyzer, Keystore
/// signer, frame logic) and the sample app against `android-all` and CameraX stubs, then runs
/// the frame logic's JUnit tests. Needs the generated JVM bindings (`cargo xtask bindings`).
pub fn jvm_check(root: &Path) -> Result<()> {
    let dir = root.join("android/jvm-check");
    let generated = root.join("bindings/kotlin/src/main/kotlin/org/hutong/hutong.kt");
    if !generated.exists() {
        bail!("{generated:?} is missing: run `cargo xtask bindings` first");
    }
    crate::bindings::maven_test(&dir, "Android JVM check")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_c_flags_reach_each_android_target_by_its_own_variable() {
        // cc reads `CFLAGS_<triple>` first; cargo-ndk prepends `--target` to it.
        let (var, flags) = app_c_flags("armv7-linux-androideabi");
        assert_eq!(var, "CFLAGS_armv7-linux-androideabi");
        assert!(flags.ends_with(APP_C_FLAGS), "{flags}");
    }

    /// A minimal ELF64 header with the given LOAD alignments.
    fn elf_with_loads(aligns: &[u64]) -> Vec<u8> {
        let mut elf = vec![0u8; 64];
        elf[..4].copy_from_slice(b"\x7fELF");
        elf[4] = 2;
        elf[5] = 1;
        elf[0x20..0x28].copy_from_slice(&64u64.to_le_bytes());
        elf[0x36..0x38].copy_from_slice(&56u16.to_le_bytes());
        elf[0x38..0x3a].copy_from_slice(&(aligns.len() as u16 + 1).to_le_bytes());
        // A non-LOAD header first (PT_PHDR, alignment 8) that must be ignored.
        let mut phdr = vec![0u8; 56];
        phdr[0..4].copy_from_slice(&6u32.to_le_bytes());
        phdr[0x30..0x38].copy_from_slice(&8u64.to_le_bytes());
        elf.extend(&phdr);
        for &a in aligns {
            let mut phdr = vec![0u8; 56];
            phdr[0..4].copy_from_slice(&1u32.to_le_bytes());
            phdr[0x30..0x38].copy_from_slice(&a.to_le_bytes());
            elf.extend(&phdr);
        }
        elf
    }

    #[test]
    fn reads_the_smallest_load_alignment() {
        assert_eq!(
            min_load_alignment(&elf_with_loads(&[16384, 4096])).unwrap(),
            4096
        );
        assert_eq!(
            min_load_alignment(&elf_with_loads(&[16384, 16384])).unwrap(),
            16384
        );
    }

    #[test]
    fn rejects_files_that_are_not_elf64() {
        assert!(min_load_alignment(b"not an elf").is_err());
        let mut elf32 = elf_with_loads(&[4096]);
        elf32[4] = 1;
        assert!(min_load_alignment(&elf32).is_err());
    }

    #[test]
    fn a_truncated_program_header_table_is_an_error() {
        let mut elf = elf_with_loads(&[16384]);
        elf.truncate(100);
        assert!(min_load_alignment(&elf).is_err());
    }

    #[test]
    fn parses_jni_and_kotlin_directories() {
        let args: Vec<String> = ["--jni-libs", "/a", "--kotlin", "/b"]
            .map(String::from)
            .into();
        let o = NativeOptions::parse(Path::new("/r"), &args).unwrap();
        assert_eq!(o.jni_libs, PathBuf::from("/a"));
        assert_eq!(o.kotlin, PathBuf::from("/b"));
        assert_eq!(o.profile, crate::size::Profile::Full);
        assert!(NativeOptions::parse(Path::new("/r"), &["--kotlin".into()]).is_err());
        let platform: Vec<String> = ["--profile", "platform"].map(String::from).into();
        let o = NativeOptions::parse(Path::new("/r"), &platform).unwrap();
        assert_eq!(o.profile.cargo_args(), ["--no-default-features"]);
        let unknown: Vec<String> = ["--profile", "tiny"].map(String::from).into();
        assert!(NativeOptions::parse(Path::new("/r"), &unknown).is_err());
    }
}
