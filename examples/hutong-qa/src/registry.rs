//! `hutong-qa registry keygen|sign|verify`: registry signing keys and signed registry bundles
//! for QA (format: docs/registry-and-routes.md, "Signed bundles").

use anyhow::{anyhow, bail, Context as _, Result};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use clap::Subcommand;
use hutong_core::bundle::{self, BundleContent, RegistryKey};
use hutong_core::registry::Context;
use hutong_core::route;
use hutong_core::sign::{Signer as _, SoftwareSigner};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Subcommand)]
pub enum RegistryCmd {
    /// Makes a registry signing key (a JSON key file, owner-only) and prints the pin apps embed.
    Keygen {
        /// The id bundles name the key by (`key_id`).
        #[arg(long)]
        key_id: String,
        /// Where to write the key file; never overwritten.
        #[arg(long)]
        out: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Builds a bundle from an overlay and wallet profiles, signs it, writes it.
    Sign {
        /// A key file from `registry keygen`.
        #[arg(long)]
        key: PathBuf,
        /// The bundle's version: higher than every bundle the apps already hold.
        #[arg(long)]
        version: u64,
        /// Unix seconds to record as the issue time (default: now).
        #[arg(long)]
        issued_at: Option<i64>,
        /// An overlay in the network table's schema (default: none).
        #[arg(long)]
        overlay: Option<PathBuf>,
        /// Wallet profiles in the wallets.json schema, `{"profiles": [...]}` (default: none).
        #[arg(long)]
        profiles: Option<PathBuf>,
        #[arg(long)]
        out: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Verifies a bundle against pinned keys the way the SDK does, and says what it holds.
    Verify {
        bundle: PathBuf,
        /// A pinned key, `key_id:base64(65-byte public key)` as `registry keygen` prints it.
        #[arg(long, required = true)]
        pin: Vec<String>,
        /// Also identify this payload with the bundle's registry.
        #[arg(long)]
        identify: Option<String>,
        /// With --identify: whether this wallet profile (the bundle's or a built-in one) pays it.
        #[arg(long, requires = "identify")]
        wallet: Option<String>,
        #[arg(long)]
        json: bool,
    },
}

/// The key file: the key id, its PKCS#8 document and public key (base64).
#[derive(serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct KeyFile {
    key_id: String,
    pkcs8: String,
    public_key: String,
}

pub fn run(cmd: RegistryCmd) -> Result<ExitCode> {
    match cmd {
        RegistryCmd::Keygen { key_id, out, json } => keygen(&key_id, &out, json),
        RegistryCmd::Sign {
            key,
            version,
            issued_at,
            overlay,
            profiles,
            out,
            json,
        } => sign(
            &key,
            version,
            issued_at,
            overlay.as_deref(),
            profiles.as_deref(),
            &out,
            json,
        ),
        RegistryCmd::Verify {
            bundle,
            pin,
            identify,
            wallet,
            json,
        } => verify(&bundle, &pin, identify.as_deref(), wallet.as_deref(), json),
    }
}

/// `key_id:base64`, the form `--pin` takes; the FFI's `RegistryKey(key_id, public_key)` is the
/// same two values (the key's 65 bytes decoded from the base64).
fn pin_text(key_id: &str, public_key: &[u8]) -> String {
    format!("{key_id}:{}", B64.encode(public_key))
}

fn keygen(key_id: &str, out: &Path, json: bool) -> Result<ExitCode> {
    if key_id.is_empty() || key_id.contains(':') {
        bail!("--key-id must be non-empty and without `:`");
    }
    let key = SoftwareSigner::generate(key_id)?;
    let file = KeyFile {
        key_id: key_id.to_owned(),
        pkcs8: B64.encode(key.pkcs8()),
        public_key: B64.encode(key.public_key()),
    };
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut f = options.open(out).with_context(|| {
        format!(
            "creating {} (an existing key is never overwritten)",
            out.display()
        )
    })?;
    std::io::Write::write_all(&mut f, serde_json::to_string_pretty(&file)?.as_bytes())?;
    let public_key = key.public_key();
    if json {
        println!(
            "{}",
            serde_json::json!({
                "key_file": out.display().to_string(),
                "key_id": key_id,
                "public_key": file.public_key,
                "public_key_hex": hex(&public_key),
                "pin": pin_text(key_id, &public_key),
            })
        );
    } else {
        println!(
            "key file   {} (private: keep it out of apps and repos)",
            out.display()
        );
        println!("key_id     {key_id}");
        println!("public_key {} (65 bytes, base64)", file.public_key);
        println!("pin        {}", pin_text(key_id, &public_key));
        println!("app        RegistryKey(keyId = \"{key_id}\", publicKey = <the 65 bytes above>)");
    }
    Ok(ExitCode::SUCCESS)
}

fn read_key(path: &Path) -> Result<SoftwareSigner> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let file: KeyFile = serde_json::from_str(&text)
        .with_context(|| format!("{} is not a `registry keygen` key file", path.display()))?;
    let der = B64
        .decode(&file.pkcs8)
        .context("the key file's pkcs8 is not base64")?;
    Ok(SoftwareSigner::from_pkcs8(file.key_id, &der)?)
}

fn read_text(path: Option<&Path>, default: &str) -> Result<String> {
    match path {
        Some(p) => std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display())),
        None => Ok(default.to_owned()),
    }
}

fn sign(
    key: &Path,
    version: u64,
    issued_at: Option<i64>,
    overlay: Option<&Path>,
    profiles: Option<&Path>,
    out: &Path,
    json: bool,
) -> Result<ExitCode> {
    let key = read_key(key)?;
    let issued_at = match issued_at {
        Some(t) => t,
        None => i64::try_from(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)?
                .as_secs(),
        )?,
    };
    let content = BundleContent::from_json(
        version,
        issued_at,
        &read_text(overlay, "{}")?,
        &read_text(profiles, r#"{"profiles": []}"#)?,
    )?;
    let bytes = bundle::sign_bundle(&content, &key)?;
    std::fs::write(out, &bytes).with_context(|| format!("writing {}", out.display()))?;
    let summary = summary(&content, &key.key_id());
    if json {
        let mut v = summary;
        v["bundle"] = out.display().to_string().into();
        v["bytes"] = bytes.len().into();
        println!("{v}");
    } else {
        println!(
            "signed     {} ({} bytes), version {version}, key {}",
            out.display(),
            bytes.len(),
            key.key_id()
        );
        print_summary(&summary);
    }
    Ok(ExitCode::SUCCESS)
}

/// What a bundle holds, for both `sign` and `verify`.
fn summary(content: &BundleContent, key_id: &str) -> serde_json::Value {
    let ids = |section: &str, field: &str| -> Vec<String> {
        content
            .registry
            .get(section)
            .and_then(|v| v.as_array())
            .map(|rows| {
                rows.iter()
                    .filter_map(|r| r.get(field).and_then(|v| v.as_str()).map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };
    serde_json::json!({
        "version": content.version,
        "issued_at": content.issued_at,
        "key_id": key_id,
        "sections": content.registry.keys().filter(|k| !k.starts_with('_')).collect::<Vec<_>>(),
        "networks": ids("networks", "id"),
        "wallet_profiles": content.wallet_profiles.iter().map(|p| p.id.as_str()).collect::<Vec<_>>(),
    })
}

fn print_summary(v: &serde_json::Value) {
    let list = |k: &str| {
        v[k].as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_default()
    };
    println!("issued_at  {}", v["issued_at"]);
    println!("sections   {}", list("sections"));
    println!("networks   {}", list("networks"));
    println!("profiles   {}", list("wallet_profiles"));
}

fn parse_pin(text: &str) -> Result<RegistryKey> {
    let (key_id, b64) = text
        .split_once(':')
        .ok_or_else(|| anyhow!("--pin must be key_id:base64"))?;
    Ok(RegistryKey {
        key_id: key_id.to_owned(),
        public_key: B64.decode(b64).context("--pin public key is not base64")?,
    })
}

fn verify(
    path: &Path,
    pins: &[String],
    payload: Option<&str>,
    wallet: Option<&str>,
    json: bool,
) -> Result<ExitCode> {
    let keys = pins
        .iter()
        .map(|p| parse_pin(p))
        .collect::<Result<Vec<_>>>()?;
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let verified = match bundle::verify_bundle(&bytes, &keys) {
        Ok(v) => v,
        Err(e) => {
            if json {
                println!(
                    "{}",
                    serde_json::json!({"valid": false, "error": e.to_string(), "error_code": e.code()})
                );
            } else {
                println!("refused    {e}");
            }
            return Ok(ExitCode::FAILURE);
        }
    };
    let mut v = summary(&verified.content, &verified.key_id);
    v["valid"] = true.into();
    if let Some(payload) = payload {
        let code =
            hutong_core::identify::identify_with(&verified.registry, payload, &Context::default());
        let mut identified = code.to_json();
        if let Some(id) = wallet {
            let profile = verified
                .content
                .wallet_profiles
                .iter()
                .find(|p| p.id == id)
                .cloned()
                .or_else(|| route::profile(id))
                .ok_or_else(|| anyhow!("no wallet profile `{id}` in the bundle or built in"))?;
            identified["route"] = serde_json::json!({
                "wallet": id,
                "route": format!("{:?}", route::can_pay(&profile, &code)),
            });
        }
        v["identify"] = identified;
    }
    if json {
        println!("{v}");
    } else {
        println!(
            "verified   {} (version {}, key {})",
            path.display(),
            verified.content.version,
            verified.key_id
        );
        print_summary(&v);
        if let Some(id) = v.get("identify") {
            println!(
                "identify   {} valid={} {}",
                id["network"].as_str().unwrap_or("unknown"),
                id["valid"],
                id.get("route").map(|r| r.to_string()).unwrap_or_default()
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}
