//! Signed, updatable registry bundles: new networks, prefixes, hosts, GUIDs and wallet profiles
//! shipped to apps without an SDK release, signed by a registry key the app pins.
//!
//! A bundle is an envelope `{content, key_id, signature}`: `content` is base64 of the exact JSON
//! bytes that were signed, `{version, issued_at, registry, wallet_profiles}`, where `registry` is
//! an overlay in the network table's schema (see `Registry::with_overlay`) and `wallet_profiles`
//! are profiles in the `wallets.json` schema. The signature is ECDSA P-256 / SHA-256 (DER) over
//! [`REGISTRY_BUNDLE_DOMAIN`] followed by the content bytes. Format: docs/registry-and-routes.md.
//!
//! [`RegistryStore`] is what an app holds: it verifies, refuses rollbacks, persists atomically
//! and hands readers an immutable snapshot ([`ActiveRegistry`]) that an install swaps whole.

use crate::registry::{Registry, RegistryError};
use crate::route::{self, WalletProfile};
use crate::sign::{verify_signature, Signer};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use std::fs;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock, PoisonError, RwLock};

/// Domain-separation prefix of a bundle signature, so a registry key's signature can never be
/// taken for a key-set, request or response signature (and the reverse).
pub const REGISTRY_BUNDLE_DOMAIN: &[u8] = b"HUTONG-REGISTRY-V1\n";

/// Largest bundle accepted, envelope included (bytes). The whole built-in table is about 11 KB.
pub const MAX_BUNDLE_LEN: usize = 512 * 1024;

/// The overlay sections a bundle's `registry` may hold: the network table's top-level keys
/// (`_`-prefixed keys are notes and are allowed). A misspelt section would otherwise be ignored
/// silently; `overlay_sections_are_the_tables_sections` keeps this list in step with the table.
const OVERLAY_SECTIONS: &[&str] = &[
    "emv_default",
    "networks",
    "emv_ids",
    "emv_reserved_tags",
    "numeric",
    "urls",
    "brand_labels",
    "static_caps",
];

/// Why a bundle, a registry key or the bundle file was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BundleError {
    #[error("registry bundle is {len} bytes; the limit is {max}")]
    TooLarge { len: usize, max: usize },
    #[error("registry bundle is malformed: {0}")]
    Malformed(String),
    #[error("registry bundle is signed by `{0}`, which is not a pinned registry key")]
    UnknownKey(String),
    #[error("registry bundle signature does not verify against pinned key `{0}`")]
    BadSignature(String),
    #[error("registry bundle version {offered} is older than the installed version {held}")]
    Rollback { held: u64, offered: u64 },
    #[error(
        "registry bundle version {0} is already installed with other content; \
         a changed bundle needs a higher version"
    )]
    VersionReused(u64),
    #[error("registry bundle's network table is refused: {0}")]
    InvalidRegistry(RegistryError),
    #[error("wallet profile refused: {0}")]
    InvalidProfiles(String),
    #[error("invalid pinned registry key: {0}")]
    InvalidKey(String),
    #[error("registry bundle storage failed: {0}")]
    Storage(String),
}

impl BundleError {
    /// A stable snake_case name for the QA tool's JSON (`bad_signature`, `rollback`...).
    pub fn code(&self) -> &'static str {
        match self {
            BundleError::TooLarge { .. } => "too_large",
            BundleError::Malformed(_) => "malformed",
            BundleError::UnknownKey(_) => "unknown_key",
            BundleError::BadSignature(_) => "bad_signature",
            BundleError::Rollback { .. } => "rollback",
            BundleError::VersionReused(_) => "version_reused",
            BundleError::InvalidRegistry(_) => "invalid_registry",
            BundleError::InvalidProfiles(_) => "invalid_profiles",
            BundleError::InvalidKey(_) => "invalid_key",
            BundleError::Storage(_) => "storage",
        }
    }
}

/// A registry public key the app pins: bundles signed by any other key are refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistryKey {
    pub key_id: String,
    /// 65-byte uncompressed SEC1 P-256 point (`0x04 || x || y`).
    pub public_key: Vec<u8>,
}

impl RegistryKey {
    fn check(keys: &[RegistryKey]) -> Result<(), BundleError> {
        for (i, k) in keys.iter().enumerate() {
            if k.key_id.is_empty() {
                return Err(BundleError::InvalidKey("a key_id is empty".into()));
            }
            if k.public_key.len() != 65 || k.public_key[0] != 0x04 {
                return Err(BundleError::InvalidKey(format!(
                    "`{}` must be a 65-byte uncompressed P-256 point, got {} bytes",
                    k.key_id,
                    k.public_key.len()
                )));
            }
            if keys[..i].iter().any(|o| o.key_id == k.key_id) {
                return Err(BundleError::InvalidKey(format!(
                    "`{}` is pinned twice",
                    k.key_id
                )));
            }
        }
        Ok(())
    }
}

/// The wire form of a bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignedBundle {
    /// Base64 of the exact content JSON bytes that were signed.
    pub content: String,
    pub key_id: String,
    /// Base64 DER ECDSA signature over `REGISTRY_BUNDLE_DOMAIN || content bytes`.
    pub signature: String,
}

/// What a bundle carries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BundleContent {
    /// Strictly increasing per release; 0 is the built-in table, so bundles start at 1.
    pub version: u64,
    /// Unix seconds when the bundle was made (shown to the app, not used for ordering).
    pub issued_at: i64,
    /// An overlay in the network table's schema; `{}` for none.
    pub registry: serde_json::Map<String, serde_json::Value>,
    /// Wallet profiles in the `wallets.json` schema; they replace built-in ones with the same id.
    pub wallet_profiles: Vec<WalletProfile>,
}

impl BundleContent {
    /// Content from an overlay JSON object and profiles in the `wallets.json` schema
    /// (`{"profiles": [...]}`), as the QA tool builds it.
    pub fn from_json(
        version: u64,
        issued_at: i64,
        overlay_json: &str,
        profiles_json: &str,
    ) -> Result<BundleContent, BundleError> {
        let registry = serde_json::from_str(overlay_json).map_err(|e| {
            BundleError::InvalidRegistry(RegistryError::Schema(format!(
                "the overlay must be a JSON object: {e}"
            )))
        })?;
        let wallet_profiles = route::load_profiles(profiles_json)
            .map_err(|e| BundleError::InvalidProfiles(e.to_string()))?;
        Ok(BundleContent {
            version,
            issued_at,
            registry,
            wallet_profiles,
        })
    }

    /// The registry this content yields (built-in table + overlay), after checking every row
    /// and profile; the only way a bundle's table comes into use.
    fn build(&self) -> Result<Registry, BundleError> {
        if self.version == 0 {
            return Err(BundleError::Malformed(
                "version 0 is the built-in table; bundles start at 1".into(),
            ));
        }
        if self.issued_at < 0 {
            return Err(BundleError::Malformed("issued_at is negative".into()));
        }
        if let Some(bad) = self
            .registry
            .keys()
            .find(|k| !k.starts_with('_') && !OVERLAY_SECTIONS.contains(&k.as_str()))
        {
            return Err(BundleError::InvalidRegistry(RegistryError::Schema(
                format!(
                    "unknown section `{bad}` (known: {})",
                    OVERLAY_SECTIONS.join(", ")
                ),
            )));
        }
        let overlay = serde_json::Value::Object(self.registry.clone()).to_string();
        let registry = Registry::builtin()
            .with_overlay(&overlay)
            .map_err(BundleError::InvalidRegistry)?;
        for (i, p) in self.wallet_profiles.iter().enumerate() {
            check_profile(p, Some(&registry))?;
            if self.wallet_profiles[..i].iter().any(|o| o.id == p.id) {
                return Err(BundleError::InvalidProfiles(format!(
                    "profile `{}` appears twice",
                    p.id
                )));
            }
        }
        Ok(registry)
    }
}

/// A profile must have an id, route names that fit `<network>:<name>`, and (when a registry is
/// given) name only networks that registry defines, so a typo cannot silently stop payments.
fn check_profile(p: &WalletProfile, registry: Option<&Registry>) -> Result<(), BundleError> {
    let bad = |why: String| Err(BundleError::InvalidProfiles(format!("`{}`: {why}", p.id)));
    if p.id.is_empty() {
        return Err(BundleError::InvalidProfiles(
            "a profile's id is empty".into(),
        ));
    }
    for ic in &p.interconnects {
        if ic.name.is_empty() || ic.name.contains(':') || ic.name == "direct" {
            return bad(format!(
                "interconnect name `{}` is not a route name",
                ic.name
            ));
        }
        if let Some(r) = ic
            .receivers
            .iter()
            .find(|r| *r != "personal" && *r != "merchant")
        {
            return bad(format!(
                "receiver `{r}` is neither `personal` nor `merchant`"
            ));
        }
    }
    if let Some(registry) = registry {
        let networks = p
            .direct
            .iter()
            .chain(p.interconnects.iter().flat_map(|ic| &ic.networks));
        for n in networks {
            if registry.network(n).is_none() {
                return bad(format!("network `{n}` is not in the registry"));
            }
        }
    }
    Ok(())
}

/// The app's own wallet profile (one profile in the `wallets.json` schema). Its networks are
/// not checked against a registry: it may name a network that a later bundle brings.
pub fn app_profile_from_json(json: &str) -> Result<WalletProfile, BundleError> {
    let profile =
        route::load_profile(json).map_err(|e| BundleError::InvalidProfiles(e.to_string()))?;
    check_profile(&profile, None)?;
    Ok(profile)
}

/// Signs `content` with a registry key and returns the envelope's JSON bytes. The content is
/// checked first, so a bundle that apps would refuse is never produced.
pub fn sign_bundle(content: &BundleContent, key: &dyn Signer) -> Result<Vec<u8>, BundleError> {
    content.build()?;
    let bytes = serde_json::to_vec(content).map_err(|e| BundleError::Malformed(e.to_string()))?;
    let signature = key
        .sign(&signed_message(&bytes))
        .map_err(|e| BundleError::InvalidKey(e.to_string()))?;
    let envelope = SignedBundle {
        content: B64.encode(&bytes),
        key_id: key.key_id(),
        signature: B64.encode(signature),
    };
    let mut out =
        serde_json::to_vec_pretty(&envelope).map_err(|e| BundleError::Malformed(e.to_string()))?;
    out.push(b'\n');
    if out.len() > MAX_BUNDLE_LEN {
        return Err(BundleError::TooLarge {
            len: out.len(),
            max: MAX_BUNDLE_LEN,
        });
    }
    Ok(out)
}

fn signed_message(content: &[u8]) -> Vec<u8> {
    let mut msg = REGISTRY_BUNDLE_DOMAIN.to_vec();
    msg.extend_from_slice(content);
    msg
}

/// A bundle whose signature verified against a pinned key and whose content checked out.
#[derive(Debug, Clone)]
pub struct VerifiedBundle {
    pub content: BundleContent,
    pub key_id: String,
    /// The built-in table with the bundle's overlay applied.
    pub registry: Registry,
    /// SHA-256 of the content bytes: the same version may be installed again only unchanged.
    digest: [u8; 32],
}

/// Checks a bundle's size, envelope, pinned key and signature, then (and only then) parses and
/// checks its content.
pub fn verify_bundle(bytes: &[u8], keys: &[RegistryKey]) -> Result<VerifiedBundle, BundleError> {
    if bytes.len() > MAX_BUNDLE_LEN {
        return Err(BundleError::TooLarge {
            len: bytes.len(),
            max: MAX_BUNDLE_LEN,
        });
    }
    let envelope: SignedBundle = serde_json::from_slice(bytes)
        .map_err(|e| BundleError::Malformed(format!("envelope: {e}")))?;
    let key = keys
        .iter()
        .find(|k| k.key_id == envelope.key_id)
        .ok_or_else(|| BundleError::UnknownKey(envelope.key_id.clone()))?;
    let content = B64
        .decode(&envelope.content)
        .map_err(|_| BundleError::Malformed("content is not base64".into()))?;
    let signature = B64
        .decode(&envelope.signature)
        .map_err(|_| BundleError::Malformed("signature is not base64".into()))?;
    verify_signature(&key.public_key, &signed_message(&content), &signature)
        .map_err(|_| BundleError::BadSignature(key.key_id.clone()))?;
    let parsed: BundleContent = serde_json::from_slice(&content)
        .map_err(|e| BundleError::Malformed(format!("content: {e}")))?;
    let registry = parsed.build()?;
    let digest = ring::digest::digest(&ring::digest::SHA256, &content);
    let mut d = [0u8; 32];
    d.copy_from_slice(digest.as_ref());
    Ok(VerifiedBundle {
        content: parsed,
        key_id: envelope.key_id,
        registry,
        digest: d,
    })
}

/// Where the active registry came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegistrySource {
    /// The table compiled into the SDK. `fallback` says why a stored bundle was not used.
    BuiltIn { fallback: Option<BundleError> },
    /// A verified bundle.
    Bundle {
        version: u64,
        issued_at: i64,
        key_id: String,
        digest: [u8; 32],
    },
}

/// One immutable registry snapshot: the network table and the wallet profiles that go with it.
/// An install replaces the whole snapshot, so a reader never sees a table from one bundle with
/// profiles from another.
#[derive(Debug)]
pub struct ActiveRegistry {
    registry: Arc<Registry>,
    /// The bundle's profiles, then the built-in ones it does not replace.
    profiles: Vec<WalletProfile>,
    source: RegistrySource,
}

static BUILTIN_ACTIVE: OnceLock<Arc<ActiveRegistry>> = OnceLock::new();

impl ActiveRegistry {
    /// The built-in table and the seed wallet profiles.
    pub fn builtin() -> Arc<ActiveRegistry> {
        BUILTIN_ACTIVE
            .get_or_init(|| Arc::new(Self::builtin_because(None)))
            .clone()
    }

    fn builtin_because(fallback: Option<BundleError>) -> ActiveRegistry {
        ActiveRegistry {
            registry: Arc::new(Registry::builtin().clone()),
            profiles: route::builtin_profiles(),
            source: RegistrySource::BuiltIn { fallback },
        }
    }

    fn from_bundle(b: VerifiedBundle) -> ActiveRegistry {
        let mut profiles = b.content.wallet_profiles;
        let replaced: Vec<String> = profiles.iter().map(|p| p.id.clone()).collect();
        profiles.extend(
            route::builtin_profiles()
                .into_iter()
                .filter(|p| !replaced.contains(&p.id)),
        );
        ActiveRegistry {
            registry: Arc::new(b.registry),
            profiles,
            source: RegistrySource::Bundle {
                version: b.content.version,
                issued_at: b.content.issued_at,
                key_id: b.key_id,
                digest: b.digest,
            },
        }
    }

    pub fn registry(&self) -> &Arc<Registry> {
        &self.registry
    }

    /// Every wallet profile this registry knows (bundle first, then built-in).
    pub fn profiles(&self) -> &[WalletProfile] {
        &self.profiles
    }

    pub fn profile(&self, id: &str) -> Option<&WalletProfile> {
        self.profiles.iter().find(|p| p.id == id)
    }

    pub fn source(&self) -> &RegistrySource {
        &self.source
    }

    /// The bundle's version; 0 for the built-in table.
    pub fn version(&self) -> u64 {
        match self.source {
            RegistrySource::Bundle { version, .. } => version,
            RegistrySource::BuiltIn { .. } => 0,
        }
    }
}

/// The registry an app holds: pinned keys, an optional bundle file, the active snapshot, and the
/// app's own wallet profile.
#[derive(Debug)]
pub struct RegistryStore {
    keys: Vec<RegistryKey>,
    path: Option<PathBuf>,
    app_profile: Option<WalletProfile>,
    active: RwLock<Arc<ActiveRegistry>>,
    /// Installs run one at a time: check version, persist, swap.
    install: Mutex<()>,
}

/// What `install` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Installed {
    /// The bundle is now the active registry.
    New,
    /// This exact bundle content was already active; nothing changed.
    Unchanged,
}

impl RegistryStore {
    /// Opens the store. With a `path`, a bundle stored there is loaded if it still verifies
    /// against `keys`; if it does not (corrupt, unpinned key, unreadable), the built-in table is
    /// used and [`RegistrySource::BuiltIn`]`.fallback` says why. Only bad keys are an error.
    pub fn open(
        keys: Vec<RegistryKey>,
        path: Option<PathBuf>,
    ) -> Result<RegistryStore, BundleError> {
        RegistryKey::check(&keys)?;
        let active = match path.as_deref().map(read_stored) {
            None | Some(Ok(None)) => ActiveRegistry::builtin(),
            Some(Ok(Some(bytes))) => match verify_bundle(&bytes, &keys) {
                Ok(b) => Arc::new(ActiveRegistry::from_bundle(b)),
                Err(e) => Arc::new(ActiveRegistry::builtin_because(Some(e))),
            },
            Some(Err(e)) => Arc::new(ActiveRegistry::builtin_because(Some(e))),
        };
        Ok(RegistryStore {
            keys,
            path,
            app_profile: None,
            active: RwLock::new(active),
            install: Mutex::new(()),
        })
    }

    /// The app's own wallet profile: found by its id before any bundle or built-in profile.
    pub fn with_app_profile(mut self, profile: WalletProfile) -> RegistryStore {
        self.app_profile = Some(profile);
        self
    }

    pub fn app_profile(&self) -> Option<&WalletProfile> {
        self.app_profile.as_ref()
    }

    /// The current snapshot; hold it for one operation and ask again for the next.
    pub fn active(&self) -> Arc<ActiveRegistry> {
        self.active
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The current network table.
    pub fn registry(&self) -> Arc<Registry> {
        self.active().registry.clone()
    }

    /// A wallet profile by id: the app's own, else the active registry's.
    pub fn profile(&self, id: &str) -> Option<WalletProfile> {
        match self.app_profile.as_ref().filter(|p| p.id == id) {
            Some(p) => Some(p.clone()),
            None => self.active().profile(id).cloned(),
        }
    }

    /// Every profile id [`profile`](Self::profile) finds, the app's first.
    pub fn profile_ids(&self) -> Vec<String> {
        let mut ids: Vec<String> = self.app_profile.iter().map(|p| p.id.clone()).collect();
        for p in self.active().profiles() {
            if !ids.contains(&p.id) {
                ids.push(p.id.clone());
            }
        }
        ids
    }

    /// Verifies `bytes`, refuses a version older than the active one (the same version only when
    /// unchanged), writes it to the bundle file (temp file + rename) and only then makes it active.
    pub fn install(&self, bytes: &[u8]) -> Result<Installed, BundleError> {
        let _one_at_a_time = self.install.lock().unwrap_or_else(PoisonError::into_inner);
        let bundle = verify_bundle(bytes, &self.keys)?;
        let held = self.active();
        let offered = bundle.content.version;
        if offered < held.version() {
            return Err(BundleError::Rollback {
                held: held.version(),
                offered,
            });
        }
        if let RegistrySource::Bundle {
            version, digest, ..
        } = held.source()
        {
            if *version == offered {
                return if *digest == bundle.digest {
                    Ok(Installed::Unchanged)
                } else {
                    Err(BundleError::VersionReused(offered))
                };
            }
        }
        if let Some(path) = &self.path {
            write_atomically(path, bytes)
                .map_err(|e| BundleError::Storage(format!("writing {}: {e}", path.display())))?;
        }
        *self.active.write().unwrap_or_else(PoisonError::into_inner) =
            Arc::new(ActiveRegistry::from_bundle(bundle));
        Ok(Installed::New)
    }
}

/// The stored bundle, `None` when there is none yet. Reads at most `MAX_BUNDLE_LEN + 1` bytes.
fn read_stored(path: &Path) -> Result<Option<Vec<u8>>, BundleError> {
    let file = match fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(BundleError::Storage(format!(
                "reading {}: {e}",
                path.display()
            )))
        }
    };
    let mut bytes = Vec::new();
    file.take(MAX_BUNDLE_LEN as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| BundleError::Storage(format!("reading {}: {e}", path.display())))?;
    Ok(Some(bytes))
}

/// Writes `bytes` to `path` so that a crash leaves either the old file or the new one: a temp
/// file beside it (owner-only), flushed to disk, renamed over it, then the folder flushed.
fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "no file name"))?;
    let mut tmp_name = name.to_os_string();
    tmp_name.push(".tmp");
    let tmp = path.with_file_name(tmp_name);
    let mut options = fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let written = options.open(&tmp).and_then(|mut f| {
        f.write_all(bytes)?;
        f.sync_all()
    });
    if let Err(e) = written.and_then(|()| fs::rename(&tmp, path)) {
        let _ = fs::remove_file(&tmp);
        return Err(e);
    }
    #[cfg(unix)]
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        // The rename is durable once the folder is; a failure here leaves a valid file either way.
        let _ = fs::File::open(dir).and_then(|d| d.sync_all());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::Context;
    use crate::route::{can_pay, check_route_among, Route};
    use crate::sign::SoftwareSigner;

    const OVERLAY: &str = r#"{
      "networks": [{"id": "example_bank", "name": "Example Bank QR", "country": "ID", "confidence": "high"}],
      "emv_ids": [{"id": "COM.EXAMPLE.BANK", "network": "example_bank", "priority": 20}]
    }"#;
    const PROFILES: &str = r#"{"profiles": [
      {"id": "example_wallet", "name": "Example wallet", "direct": ["example_bank", "qris"]}
    ]}"#;

    /// A static MPM code whose GUID only the overlay names (QRIS without it).
    fn example_code() -> String {
        let body = "00020101021126290016COM.EXAMPLE.BANK0105123455204000053033605802ID5904Shop6007Jakarta6304";
        format!("{body}{}", crate::codes::crc::crc16_hex(body.as_bytes()))
    }

    fn key(id: &str) -> SoftwareSigner {
        SoftwareSigner::generate(id).unwrap()
    }

    fn pin(k: &SoftwareSigner) -> Vec<RegistryKey> {
        vec![RegistryKey {
            key_id: k.key_id(),
            public_key: k.public_key(),
        }]
    }

    fn bundle(k: &SoftwareSigner, version: u64) -> Vec<u8> {
        let content = BundleContent::from_json(version, 1_700_000_000, OVERLAY, PROFILES).unwrap();
        sign_bundle(&content, k).unwrap()
    }

    fn envelope(bytes: &[u8]) -> SignedBundle {
        serde_json::from_slice(bytes).unwrap()
    }

    fn is_builtin(store: &RegistryStore) -> bool {
        matches!(store.active().source(), RegistrySource::BuiltIn { .. })
    }

    #[test]
    fn a_new_network_becomes_identifiable_and_payable_with_the_apps_profile() {
        let k = key("reg-1");
        let store = RegistryStore::open(pin(&k), None).unwrap();
        let before =
            crate::identify::identify_with(&store.registry(), &example_code(), &Context::default());
        assert_ne!(before.network.as_deref(), Some("example_bank"));

        assert_eq!(store.install(&bundle(&k, 1)), Ok(Installed::New));
        let code =
            crate::identify::identify_with(&store.registry(), &example_code(), &Context::default());
        assert_eq!(code.network.as_deref(), Some("example_bank"));
        assert!(code.valid, "{:?}", code.error);

        // The bundle's profile and the app's own both route it; the app's wins by id.
        let bundled = store.profile("example_wallet").unwrap();
        assert_eq!(can_pay(&bundled, &code), Route::Direct);
        let mine = app_profile_from_json(
            r#"{"id": "my_wallet", "name": "My wallet", "direct": ["example_bank"]}"#,
        )
        .unwrap();
        let store = store.with_app_profile(mine.clone());
        assert_eq!(store.profile("my_wallet"), Some(mine.clone()));
        assert_eq!(can_pay(&mine, &code), Route::Direct);
        let known = store.active().profiles().to_vec();
        assert_eq!(
            check_route_among(&code, "example_bank:direct", Some(&mine), &known),
            Ok(())
        );
        assert!(store.profile_ids().starts_with(&["my_wallet".to_string()]));
    }

    #[test]
    fn tampered_content_is_a_bad_signature() {
        let k = key("reg-1");
        let store = RegistryStore::open(pin(&k), None).unwrap();
        let mut env = envelope(&bundle(&k, 1));
        let mut content = B64.decode(&env.content).unwrap();
        let at = content.iter().position(|&b| b == b'1').unwrap();
        content[at] = b'2';
        env.content = B64.encode(content);
        let tampered = serde_json::to_vec(&env).unwrap();
        assert_eq!(
            store.install(&tampered),
            Err(BundleError::BadSignature("reg-1".into()))
        );
        assert!(is_builtin(&store));
    }

    #[test]
    fn a_bundle_signed_by_another_key_is_refused() {
        let pinned = key("reg-1");
        let store = RegistryStore::open(pin(&pinned), None).unwrap();
        // Same key id, other key: the signature fails.
        let impostor = key("reg-1");
        assert_eq!(
            store.install(&bundle(&impostor, 1)),
            Err(BundleError::BadSignature("reg-1".into()))
        );
        // A key the app did not pin.
        let other = key("reg-x");
        assert_eq!(
            store.install(&bundle(&other, 1)),
            Err(BundleError::UnknownKey("reg-x".into()))
        );
        assert!(is_builtin(&store));
    }

    #[test]
    fn a_signature_without_the_domain_prefix_is_refused() {
        let k = key("reg-1");
        let content = BundleContent::from_json(1, 0, OVERLAY, PROFILES).unwrap();
        let bytes = serde_json::to_vec(&content).unwrap();
        let env = SignedBundle {
            content: B64.encode(&bytes),
            key_id: k.key_id(),
            signature: B64.encode(k.sign(&bytes).unwrap()),
        };
        assert!(matches!(
            verify_bundle(&serde_json::to_vec(&env).unwrap(), &pin(&k)),
            Err(BundleError::BadSignature(_))
        ));
    }

    #[test]
    fn an_older_version_is_refused_after_reopening_the_store() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("registry.bundle");
        let k = key("reg-1");
        let store = RegistryStore::open(pin(&k), Some(path.clone())).unwrap();
        assert_eq!(store.install(&bundle(&k, 5)), Ok(Installed::New));
        drop(store);

        let store = RegistryStore::open(pin(&k), Some(path.clone())).unwrap();
        assert_eq!(store.active().version(), 5);
        assert_eq!(
            store.install(&bundle(&k, 4)),
            Err(BundleError::Rollback {
                held: 5,
                offered: 4
            })
        );
        assert_eq!(store.active().version(), 5);
        let code =
            crate::identify::identify_with(&store.registry(), &example_code(), &Context::default());
        assert_eq!(code.network.as_deref(), Some("example_bank"));
    }

    #[test]
    fn the_same_version_installs_again_only_unchanged() {
        let k = key("reg-1");
        let store = RegistryStore::open(pin(&k), None).unwrap();
        let b = bundle(&k, 2);
        assert_eq!(store.install(&b), Ok(Installed::New));
        assert_eq!(store.install(&b), Ok(Installed::Unchanged));
        // Re-signed (ECDSA signatures differ) but the same content: still unchanged.
        assert_eq!(store.install(&bundle(&k, 2)), Ok(Installed::Unchanged));
        let other = BundleContent::from_json(2, 1, "{}", r#"{"profiles": []}"#).unwrap();
        assert_eq!(
            store.install(&sign_bundle(&other, &k).unwrap()),
            Err(BundleError::VersionReused(2))
        );
        assert_eq!(store.install(&bundle(&k, 3)), Ok(Installed::New));
    }

    #[test]
    fn a_corrupt_stored_file_falls_back_to_the_builtin_table_and_says_why() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("registry.bundle");
        let k = key("reg-1");
        RegistryStore::open(pin(&k), Some(path.clone()))
            .unwrap()
            .install(&bundle(&k, 3))
            .unwrap();
        let mut bytes = fs::read(&path).unwrap();
        bytes.truncate(bytes.len() / 2);
        fs::write(&path, &bytes).unwrap();

        let store = RegistryStore::open(pin(&k), Some(path.clone())).unwrap();
        match store.active().source() {
            RegistrySource::BuiltIn {
                fallback: Some(BundleError::Malformed(_)),
            } => {}
            other => panic!("expected a fallback with a reason, got {other:?}"),
        }
        assert_eq!(store.active().version(), 0);
        let code =
            crate::identify::identify_with(&store.registry(), &example_code(), &Context::default());
        assert_ne!(code.network.as_deref(), Some("example_bank"));
        // A good bundle replaces the corrupt file.
        assert_eq!(store.install(&bundle(&k, 3)), Ok(Installed::New));
        let reopened = RegistryStore::open(pin(&k), Some(path)).unwrap();
        assert_eq!(reopened.active().version(), 3);
    }

    #[test]
    fn a_stored_bundle_from_a_key_no_longer_pinned_falls_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("registry.bundle");
        let old = key("reg-old");
        RegistryStore::open(pin(&old), Some(path.clone()))
            .unwrap()
            .install(&bundle(&old, 7))
            .unwrap();
        let new = key("reg-new");
        let store = RegistryStore::open(pin(&new), Some(path)).unwrap();
        assert_eq!(
            store.active().source(),
            &RegistrySource::BuiltIn {
                fallback: Some(BundleError::UnknownKey("reg-old".into()))
            }
        );
        assert_eq!(store.install(&bundle(&new, 1)), Ok(Installed::New));
    }

    #[test]
    fn no_stored_file_is_the_builtin_table_without_a_complaint() {
        let dir = tempfile::tempdir().unwrap();
        let k = key("reg-1");
        let store = RegistryStore::open(pin(&k), Some(dir.path().join("none"))).unwrap();
        assert_eq!(
            store.active().source(),
            &RegistrySource::BuiltIn { fallback: None }
        );
    }

    #[test]
    fn rows_naming_an_unknown_network_are_refused() {
        let k = key("reg-1");
        let overlay = r#"{"emv_ids": [{"id": "COM.EXAMPLE.BANK", "network": "exampel_bank"}]}"#;
        let content = BundleContent::from_json(1, 0, overlay, r#"{"profiles": []}"#).unwrap();
        assert!(matches!(
            sign_bundle(&content, &k),
            Err(BundleError::InvalidRegistry(
                RegistryError::UnknownNetwork { .. }
            ))
        ));
        // Signed by a tool that did not check: the store still refuses it.
        let bytes = serde_json::to_vec(&content).unwrap();
        let env = SignedBundle {
            content: B64.encode(&bytes),
            key_id: k.key_id(),
            signature: B64.encode(k.sign(&signed_message(&bytes)).unwrap()),
        };
        let store = RegistryStore::open(pin(&k), None).unwrap();
        assert!(matches!(
            store.install(&serde_json::to_vec(&env).unwrap()),
            Err(BundleError::InvalidRegistry(RegistryError::UnknownNetwork { network, .. })) if network == "exampel_bank"
        ));
        assert!(is_builtin(&store));
    }

    #[test]
    fn profiles_naming_an_unknown_network_or_a_bad_route_are_refused() {
        for profiles in [
            r#"{"profiles": [{"id": "w", "name": "W", "direct": ["nowhere"]}]}"#,
            r#"{"profiles": [{"id": "w", "name": "W", "direct": [], "interconnects": [{"name": "a:b", "networks": ["qris"]}]}]}"#,
            r#"{"profiles": [{"id": "w", "name": "W", "direct": [], "interconnects": [{"name": "x", "networks": ["qris"], "receivers": ["anyone"]}]}]}"#,
            r#"{"profiles": [{"id": "w", "name": "W", "direct": []}, {"id": "w", "name": "W2", "direct": []}]}"#,
        ] {
            let content = BundleContent::from_json(1, 0, "{}", profiles).unwrap();
            assert!(
                matches!(content.build(), Err(BundleError::InvalidProfiles(_))),
                "{profiles}"
            );
        }
    }

    #[test]
    fn unknown_fields_and_sections_are_refused() {
        let k = key("reg-1");
        // A misspelt overlay section.
        let content =
            BundleContent::from_json(1, 0, r#"{"emv_id": []}"#, r#"{"profiles": []}"#).unwrap();
        assert!(matches!(
            content.build(),
            Err(BundleError::InvalidRegistry(RegistryError::Schema(_)))
        ));
        // An unknown profile field.
        assert!(matches!(
            BundleContent::from_json(
                1,
                0,
                "{}",
                r#"{"profiles": [{"id": "w", "name": "W", "direct": [], "routes": []}]}"#
            ),
            Err(BundleError::InvalidProfiles(_))
        ));
        // An unknown envelope field.
        let mut v: serde_json::Value = serde_json::from_slice(&bundle(&k, 1)).unwrap();
        v["note"] = "hi".into();
        assert!(matches!(
            verify_bundle(&serde_json::to_vec(&v).unwrap(), &pin(&k)),
            Err(BundleError::Malformed(_))
        ));
        // An unknown content field, correctly signed.
        let bytes = br#"{"version":1,"issued_at":0,"registry":{},"wallet_profiles":[],"extra":1}"#;
        let env = SignedBundle {
            content: B64.encode(bytes),
            key_id: k.key_id(),
            signature: B64.encode(k.sign(&signed_message(bytes)).unwrap()),
        };
        assert!(matches!(
            verify_bundle(&serde_json::to_vec(&env).unwrap(), &pin(&k)),
            Err(BundleError::Malformed(_))
        ));
    }

    #[test]
    fn malformed_and_oversized_bundles_are_typed_errors() {
        let k = key("reg-1");
        for junk in [
            &b""[..],
            b"null",
            b"{",
            b"\xff\xfe",
            br#"{"content":"!","key_id":"reg-1","signature":""}"#,
        ] {
            assert!(
                matches!(
                    verify_bundle(junk, &pin(&k)),
                    Err(BundleError::Malformed(_))
                ),
                "{junk:?}"
            );
        }
        let big = vec![b' '; MAX_BUNDLE_LEN + 1];
        assert_eq!(
            verify_bundle(&big, &pin(&k)).unwrap_err(),
            BundleError::TooLarge {
                len: MAX_BUNDLE_LEN + 1,
                max: MAX_BUNDLE_LEN
            }
        );
        let zero = BundleContent::from_json(0, 0, "{}", r#"{"profiles": []}"#).unwrap();
        assert!(matches!(
            sign_bundle(&zero, &k),
            Err(BundleError::Malformed(_))
        ));
    }

    #[test]
    fn a_failed_write_leaves_the_active_registry_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let k = key("reg-1");
        // The bundle file's folder does not exist.
        let path = dir.path().join("missing").join("registry.bundle");
        let store = RegistryStore::open(pin(&k), Some(path)).unwrap();
        assert!(matches!(
            store.install(&bundle(&k, 1)),
            Err(BundleError::Storage(_))
        ));
        assert!(is_builtin(&store));
    }

    #[test]
    fn pinned_keys_are_checked() {
        let k = key("reg-1");
        let mut short = pin(&k);
        short[0].public_key.truncate(33);
        let mut twice = pin(&k);
        twice.extend(pin(&k));
        for keys in [short, twice] {
            assert!(matches!(
                RegistryStore::open(keys, None),
                Err(BundleError::InvalidKey(_))
            ));
        }
    }

    #[test]
    fn readers_keep_their_snapshot_across_an_install() {
        let k = key("reg-1");
        let store = RegistryStore::open(pin(&k), None).unwrap();
        let before = store.active();
        store.install(&bundle(&k, 1)).unwrap();
        assert_eq!(before.version(), 0);
        assert!(before.registry().network("example_bank").is_none());
        assert!(store.registry().network("example_bank").is_some());
    }

    #[test]
    fn the_stored_file_is_owner_only() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("registry.bundle");
        let k = key("reg-1");
        let store = RegistryStore::open(pin(&k), Some(path.clone())).unwrap();
        store.install(&bundle(&k, 1)).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert!(!dir.path().join("registry.bundle.tmp").exists());
    }

    #[test]
    fn overlay_sections_are_the_tables_sections() {
        let table: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(crate::registry::BUILTIN).unwrap();
        let mut sections: Vec<&str> = table
            .keys()
            .map(String::as_str)
            .filter(|k| !k.starts_with('_'))
            .collect();
        sections.sort_unstable();
        let mut ours = OVERLAY_SECTIONS.to_vec();
        ours.sort_unstable();
        assert_eq!(sections, ours);
    }

    #[test]
    fn an_app_profile_is_checked_for_shape_not_for_networks() {
        let p = app_profile_from_json(r#"{"id": "mine", "name": "Mine", "direct": ["later_net"]}"#)
            .unwrap();
        assert_eq!(p.direct, ["later_net"]);
        for bad in [
            r#"{"id": "", "name": "x", "direct": []}"#,
            r#"{"id": "a", "name": "x"}"#,
            r#"{"id": "a", "name": "x", "direct": [], "extra": 1}"#,
            r#"[]"#,
        ] {
            assert!(
                matches!(
                    app_profile_from_json(bad),
                    Err(BundleError::InvalidProfiles(_))
                ),
                "{bad}"
            );
        }
    }
}
