//! The app's registry across the boundary: signed bundles (new networks, prefixes, hosts,
//! GUIDs, wallet profiles) installed without an SDK release, persisted, and used by `identify`
//! and `Payments`. The rules live in `bundle`; this file converts.

use super::guard::{guarded, Panicked};
use super::identify::{self, CodeInfo, IdentifyContext, IdentifyError};
use hutong_core::bundle::{self, BundleError, RegistrySource as CoreSource, RegistryStore};
use hutong_core::identify::{identify_bytes_with, identify_with};
use std::fmt;
use std::panic::AssertUnwindSafe;
use std::path::PathBuf;
use std::sync::Arc;

/// A registry public key the app pins. Bundles signed by any other key are refused.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct RegistryKey {
    /// The id a bundle names its signing key by (`key_id` in the bundle).
    pub key_id: String,
    /// The 65-byte uncompressed SEC1 P-256 point (`0x04 || x || y`), as
    /// `hutong-qa registry keygen` prints it (base64).
    pub public_key: Vec<u8>,
}

/// Where the active registry came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum RegistrySource {
    /// The table compiled into the SDK (no bundle yet, or the stored one was refused).
    BuiltIn,
    /// A verified bundle.
    Bundle,
}

/// What the active registry is: for an about screen, a log line, or deciding to fetch a bundle.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct RegistryInfo {
    /// The bundle's version; 0 for the built-in table.
    pub version: u64,
    /// The built-in table or a verified bundle.
    pub source: RegistrySource,
    /// Unix seconds when the bundle was made; `None` for the built-in table.
    pub issued_at: Option<i64>,
    /// The pinned key that signed the bundle; `None` for the built-in table.
    pub key_id: Option<String>,
    /// Every network id the active table knows.
    pub network_ids: Vec<String>,
    /// Every wallet profile id `walletProfileId` may name: the app's own first, then the
    /// bundle's, then the built-in ones.
    pub wallet_profile_ids: Vec<String>,
    /// Why a stored bundle was not used at start-up (corrupt file, key no longer pinned...), when
    /// the built-in table is active because of it.
    pub fallback_reason: Option<String>,
}

/// Why a registry could not be opened or a bundle was refused. The active registry is unchanged
/// after any of these. `InvalidKey` and `InvalidProfile` from the constructor are bugs in the
/// app's configuration; the bundle refusals from `install` mean the bytes must not be used (log
/// them and keep the active registry; fetching the same bytes again will not help).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
#[uniffi(flat_error)]
pub enum PaymentRegistryError {
    /// A pinned key is not a 65-byte P-256 point, has an empty id, or is pinned twice.
    #[error("{0}")]
    InvalidKey(String),
    /// The app's own wallet profile JSON is not one profile in the `wallets.json` schema, or a
    /// bundle's profiles are inconsistent.
    #[error("{0}")]
    InvalidProfile(String),
    /// The bundle is over the size limit (512 KiB).
    #[error("{0}")]
    TooLarge(String),
    /// The bundle is not a bundle (not JSON, not base64, unknown fields, version 0...).
    #[error("{0}")]
    Malformed(String),
    /// The bundle is signed by a key the app did not pin.
    #[error("{0}")]
    UnknownKey(String),
    /// The signature does not verify: the bundle was altered or signed by another key.
    #[error("{0}")]
    BadSignature(String),
    /// The bundle is older than the installed one.
    #[error("{0}")]
    Rollback(String),
    /// The installed version was offered again with other content.
    #[error("{0}")]
    VersionReused(String),
    /// The bundle's network table is inconsistent (a row names an undefined network...).
    #[error("{0}")]
    InvalidRegistry(String),
    /// The bundle file could not be written (disk full, path not writable): the bundle is not
    /// installed; retry later.
    #[error("{0}")]
    Storage(String),
    /// A bug in the library (a caught panic); the message is for a bug report.
    #[error("internal error in hutong (please report): {0}")]
    Internal(String),
}

impl From<Panicked> for PaymentRegistryError {
    fn from(p: Panicked) -> Self {
        PaymentRegistryError::Internal(p.0)
    }
}

impl From<BundleError> for PaymentRegistryError {
    fn from(e: BundleError) -> Self {
        let text = e.to_string();
        match e {
            BundleError::TooLarge { .. } => PaymentRegistryError::TooLarge(text),
            BundleError::Malformed(_) => PaymentRegistryError::Malformed(text),
            BundleError::UnknownKey(_) => PaymentRegistryError::UnknownKey(text),
            BundleError::BadSignature(_) => PaymentRegistryError::BadSignature(text),
            BundleError::Rollback { .. } => PaymentRegistryError::Rollback(text),
            BundleError::VersionReused(_) => PaymentRegistryError::VersionReused(text),
            BundleError::InvalidRegistry(_) => PaymentRegistryError::InvalidRegistry(text),
            BundleError::InvalidProfiles(_) => PaymentRegistryError::InvalidProfile(text),
            BundleError::InvalidKey(_) => PaymentRegistryError::InvalidKey(text),
            BundleError::Storage(_) => PaymentRegistryError::Storage(text),
        }
    }
}

/// The payment-code registry an app holds: the network table and wallet profiles, updatable by
/// signed bundles from the app's backend. Create one at start-up and share it; pass it to
/// `PaymentsConfig.registry` so payments identify codes the same way.
///
/// Thread-safe. The constructor and `install` read or write a small file: call them off the main
/// thread. `identify`, `identifyBytes` and `info` do no I/O and are fast enough for the camera's
/// analysis thread.
#[derive(uniffi::Object)]
pub struct PaymentRegistry {
    store: Arc<RegistryStore>,
}

impl PaymentRegistry {
    pub(crate) fn store(&self) -> Arc<RegistryStore> {
        self.store.clone()
    }

    fn snapshot_info(&self) -> RegistryInfo {
        let active = self.store.active();
        let (source, issued_at, key_id, fallback_reason) = match active.source() {
            CoreSource::BuiltIn { fallback } => (
                RegistrySource::BuiltIn,
                None,
                None,
                fallback.as_ref().map(ToString::to_string),
            ),
            CoreSource::Bundle {
                issued_at, key_id, ..
            } => (
                RegistrySource::Bundle,
                Some(*issued_at),
                Some(key_id.clone()),
                None,
            ),
        };
        RegistryInfo {
            version: active.version(),
            source,
            issued_at,
            key_id,
            network_ids: active.registry().network_ids().map(str::to_owned).collect(),
            wallet_profile_ids: self.store.profile_ids(),
            fallback_reason,
        }
    }

    fn identify_with(
        &self,
        context: Option<IdentifyContext>,
        ident: impl FnOnce(
            &hutong_core::registry::Registry,
            &hutong_core::registry::Context,
        ) -> hutong_core::registry::PaymentCode,
    ) -> Result<CodeInfo, IdentifyError> {
        let active = self.store.active();
        let profiles: Vec<_> = self
            .store
            .app_profile()
            .into_iter()
            .chain(active.profiles())
            .cloned()
            .collect();
        identify::run_in(active.registry(), &profiles, context, ident)
    }
}

// `PaymentsConfig` is a record that derives these; a registry is equal only to itself.
impl PartialEq for PaymentRegistry {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.store, &other.store)
    }
}

impl Eq for PaymentRegistry {}

impl fmt::Debug for PaymentRegistry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let active = self.store.active();
        f.debug_struct("PaymentRegistry")
            .field("version", &active.version())
            .finish_non_exhaustive()
    }
}

#[uniffi::export]
impl PaymentRegistry {
    /// Opens the registry. With `storage_path` (a file in the app's private storage), a bundle
    /// installed earlier is loaded if it still verifies against `pinned_keys`; otherwise the
    /// built-in table is used and `info().fallback_reason` says why. `wallet_profile_json` is the
    /// app's own wallet profile (one profile in the `wallets.json` schema, e.g.
    /// `{"id": "my_wallet", "name": "My Wallet", "direct": ["unionpay"], "interconnects": []}`):
    /// `walletProfileId` finds it before any bundle or built-in profile.
    ///
    /// A stored bundle that is missing, unreadable or refused is not an error (the built-in
    /// table is used). Throws `PaymentRegistryError.InvalidKey` for a bad pinned key and
    /// `InvalidProfile` for bad `wallet_profile_json`.
    #[uniffi::constructor(default(storage_path = None, wallet_profile_json = None))]
    pub fn new(
        pinned_keys: Vec<RegistryKey>,
        storage_path: Option<String>,
        wallet_profile_json: Option<String>,
    ) -> Result<Arc<Self>, PaymentRegistryError> {
        guarded(AssertUnwindSafe(|| {
            let keys = pinned_keys
                .into_iter()
                .map(|k| bundle::RegistryKey {
                    key_id: k.key_id,
                    public_key: k.public_key,
                })
                .collect();
            let mut store = RegistryStore::open(keys, storage_path.map(PathBuf::from))?;
            if let Some(json) = wallet_profile_json {
                store = store.with_app_profile(bundle::app_profile_from_json(&json)?);
            }
            Ok(Arc::new(PaymentRegistry {
                store: Arc::new(store),
            }))
        }))
    }

    /// Installs a signed bundle (the bytes your backend served). Refused if it is malformed,
    /// signed by an unpinned key, altered, older than the installed one, or names undefined
    /// networks; installing the installed bundle again changes nothing. It is written to the
    /// storage file before it becomes active, so the next start finds it. Without a
    /// `storage_path` it is active until the process ends. Returns the new `RegistryInfo`;
    /// throws the `PaymentRegistryError` refusal (the active registry is then unchanged).
    pub fn install(&self, bundle: Vec<u8>) -> Result<RegistryInfo, PaymentRegistryError> {
        guarded(AssertUnwindSafe(|| {
            self.store.install(&bundle)?;
            Ok(self.snapshot_info())
        }))
    }

    /// The active registry: version, source, networks and wallet profiles. No I/O.
    pub fn info(&self) -> Result<RegistryInfo, PaymentRegistryError> {
        guarded(AssertUnwindSafe(|| Ok(self.snapshot_info())))
    }

    /// Identifies a scanned payload with the active registry; `context.wallet_profile_id` may
    /// name the app's own profile or a bundle's, as well as a built-in one. Otherwise as the
    /// free function `identify` (synchronous, no I/O; throws only `IdentifyError`).
    pub fn identify(
        &self,
        payload: String,
        context: Option<IdentifyContext>,
    ) -> Result<CodeInfo, IdentifyError> {
        guarded(AssertUnwindSafe(|| {
            self.identify_with(context, |reg, ctx| identify_with(reg, &payload, ctx))
        }))
    }

    /// Identifies a code's raw bytes (`ScannedCode.raw_bytes`) with the active registry; as
    /// `identifyBytes`.
    pub fn identify_bytes(
        &self,
        bytes: Vec<u8>,
        context: Option<IdentifyContext>,
    ) -> Result<CodeInfo, IdentifyError> {
        guarded(AssertUnwindSafe(|| {
            self.identify_with(context, |reg, ctx| identify_bytes_with(reg, &bytes, ctx))
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hutong_core::sign::{Signer, SoftwareSigner};

    const OVERLAY: &str = r#"{"networks": [{"id": "example_bank", "name": "Example Bank QR", "confidence": "high"}],
        "emv_ids": [{"id": "COM.EXAMPLE.BANK", "network": "example_bank", "priority": 20}]}"#;

    fn example_code() -> String {
        let body = "00020101021126290016COM.EXAMPLE.BANK0105123455204000053033605802ID5904Shop6007Jakarta6304";
        format!(
            "{body}{}",
            hutong_core::codes::crc::crc16_hex(body.as_bytes())
        )
    }

    fn signed(key: &SoftwareSigner, version: u64) -> Vec<u8> {
        let content = bundle::BundleContent::from_json(
            version,
            1_700_000_000,
            OVERLAY,
            r#"{"profiles": [{"id": "bundled_wallet", "name": "B", "direct": ["example_bank"]}]}"#,
        )
        .unwrap();
        bundle::sign_bundle(&content, key).unwrap()
    }

    fn pins(key: &SoftwareSigner) -> Vec<RegistryKey> {
        vec![RegistryKey {
            key_id: key.key_id(),
            public_key: key.public_key(),
        }]
    }

    fn wallet(id: &str) -> Option<IdentifyContext> {
        Some(IdentifyContext {
            expect: None,
            profile: None,
            wallet_profile_id: Some(id.into()),
            now_unix: None,
        })
    }

    #[test]
    fn the_apps_own_profile_answers_wallet_profile_id() {
        let reg = PaymentRegistry::new(
            vec![],
            None,
            Some(r#"{"id": "my_wallet", "name": "My wallet", "direct": ["qris"]}"#.into()),
        )
        .unwrap();
        let info = reg.identify(example_code(), wallet("my_wallet")).unwrap();
        assert_eq!(info.network.as_deref(), Some("qris"));
        assert_eq!(info.can_pay, Some(true));
        assert_eq!(reg.info().unwrap().wallet_profile_ids[0], "my_wallet");
        // The free function knows only the built-in profiles.
        assert!(identify::identify(example_code(), wallet("my_wallet")).is_err());
    }

    #[test]
    fn an_installed_bundle_identifies_and_routes_through_its_profiles() {
        let key = SoftwareSigner::generate("reg-1").unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("registry.bundle");
        let reg = PaymentRegistry::new(pins(&key), Some(path.display().to_string()), None).unwrap();
        assert_eq!(reg.info().unwrap().source, RegistrySource::BuiltIn);
        let info = reg.install(signed(&key, 3)).unwrap();
        assert_eq!(
            (
                info.version,
                info.source,
                info.issued_at,
                info.key_id.as_deref()
            ),
            (
                3,
                RegistrySource::Bundle,
                Some(1_700_000_000),
                Some("reg-1")
            )
        );
        assert!(info.network_ids.contains(&"example_bank".to_string()));
        assert!(info
            .wallet_profile_ids
            .contains(&"bundled_wallet".to_string()));
        let code = reg
            .identify(example_code(), wallet("bundled_wallet"))
            .unwrap();
        assert_eq!(code.network.as_deref(), Some("example_bank"));
        assert_eq!(code.can_pay, Some(true));

        let again =
            PaymentRegistry::new(pins(&key), Some(path.display().to_string()), None).unwrap();
        assert_eq!(again.info().unwrap().version, 3);
        assert!(matches!(
            again.install(signed(&key, 2)),
            Err(PaymentRegistryError::Rollback(_))
        ));
    }

    #[test]
    fn refusals_are_typed_and_leave_the_registry_as_it_was() {
        let key = SoftwareSigner::generate("reg-1").unwrap();
        let reg = PaymentRegistry::new(pins(&key), None, None).unwrap();
        let other = SoftwareSigner::generate("reg-2").unwrap();
        assert!(matches!(
            reg.install(signed(&other, 1)),
            Err(PaymentRegistryError::UnknownKey(_))
        ));
        assert!(matches!(
            reg.install(b"not a bundle".to_vec()),
            Err(PaymentRegistryError::Malformed(_))
        ));
        assert_eq!(reg.info().unwrap().version, 0);
        assert!(matches!(
            PaymentRegistry::new(
                vec![RegistryKey {
                    key_id: "k".into(),
                    public_key: vec![4; 10]
                }],
                None,
                None
            ),
            Err(PaymentRegistryError::InvalidKey(_))
        ));
        assert!(matches!(
            PaymentRegistry::new(vec![], None, Some("{\"id\": \"x\"}".into())),
            Err(PaymentRegistryError::InvalidProfile(_))
        ));
    }
}
