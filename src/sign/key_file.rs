//! A private key on disk (the QA CLI's device key): owner-only from the first byte, written
//! atomically, and never read back while others can read it too.
//!
//! A new file is written to a temporary name in the same directory, created with mode 0600 (no
//! window in which the key sits under the umask's 0644), synced, then renamed over the target:
//! a crash leaves either no key or the whole key. An existing file that group or others may
//! read is tightened to 0600 before its bytes are used (or refused when that is not possible,
//! e.g. another user owns it). Outside Unix the platform's default permissions apply.

use super::{SignError, SoftwareSigner};
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

/// A PKCS#8 P-256 key is about 140 bytes; anything much larger is not a key file.
const MAX_KEY_FILE_LEN: u64 = 4096;

/// Owner read/write, nothing for group and others.
#[cfg(unix)]
pub const KEY_FILE_MODE: u32 = 0o600;

/// Why a key file could not be written or read.
#[derive(Debug, thiserror::Error)]
pub enum KeyFileError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("{path} is not a regular file")]
    NotAFile { path: PathBuf },
    #[error("{path} is {len} bytes, too large for a key file")]
    TooLarge { path: PathBuf, len: u64 },
    #[error(
        "{path} is readable by others (mode {mode:o}) and could not be made private: {source}"
    )]
    NotPrivate {
        path: PathBuf,
        mode: u32,
        #[source]
        source: io::Error,
    },
    #[error("{path} does not hold a usable key: {source}")]
    Key {
        path: PathBuf,
        #[source]
        source: SignError,
    },
}

fn io_at(path: &Path) -> impl FnOnce(io::Error) -> KeyFileError + '_ {
    move |source| KeyFileError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// What [`read_key_file`] found.
#[derive(Debug)]
pub struct KeyFileContents {
    pub bytes: Vec<u8>,
    /// The file was readable by group or others and has been narrowed to 0600: the key may have
    /// been seen, so tell the user.
    pub tightened_from: Option<u32>,
}

/// Writes `bytes` to `path` atomically, owner-only from creation. Replaces an existing file.
pub fn write_key_file(path: &Path, bytes: &[u8]) -> Result<(), KeyFileError> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .ok_or_else(|| KeyFileError::NotAFile {
            path: path.to_path_buf(),
        })?
        .to_string_lossy()
        .into_owned();
    let (tmp, mut file) = create_private_temp(&dir, &name)?;
    let written = file
        .write_all(bytes)
        .and_then(|()| file.sync_all())
        .and_then(|()| fs::rename(&tmp, path));
    if let Err(e) = written {
        let _ = fs::remove_file(&tmp);
        return Err(io_at(path)(e));
    }
    // The rename is durable once the directory entry is; best effort where directories cannot
    // be opened (not Unix).
    if let Ok(d) = File::open(&dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// A fresh `.<name>.<random>.tmp` next to the target, created exclusively with mode 0600.
fn create_private_temp(dir: &Path, name: &str) -> Result<(PathBuf, File), KeyFileError> {
    use ring::rand::{SecureRandom, SystemRandom};
    let rng = SystemRandom::new();
    for _ in 0..8 {
        let mut salt = [0u8; 8];
        rng.fill(&mut salt).map_err(|_| KeyFileError::Io {
            path: dir.to_path_buf(),
            source: io::Error::other("system random generator failed"),
        })?;
        let salt: String = salt.iter().map(|b| format!("{b:02x}")).collect();
        let tmp = dir.join(format!(".{name}.{salt}.tmp"));
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(KEY_FILE_MODE);
        }
        match options.open(&tmp) {
            Ok(file) => return Ok((tmp, file)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(io_at(&tmp)(e)),
        }
    }
    Err(KeyFileError::Io {
        path: dir.to_path_buf(),
        source: io::Error::new(
            io::ErrorKind::AlreadyExists,
            "no free temporary name for the key file",
        ),
    })
}

/// Reads a key file, first narrowing it to 0600 if group or others could read it.
pub fn read_key_file(path: &Path) -> Result<KeyFileContents, KeyFileError> {
    let mut file = File::open(path).map_err(io_at(path))?;
    // Checked on the open handle, so the file judged is the file read.
    let meta = file.metadata().map_err(io_at(path))?;
    if !meta.is_file() {
        return Err(KeyFileError::NotAFile {
            path: path.to_path_buf(),
        });
    }
    if meta.len() > MAX_KEY_FILE_LEN {
        return Err(KeyFileError::TooLarge {
            path: path.to_path_buf(),
            len: meta.len(),
        });
    }
    let tightened_from = make_private(&file, &meta, path)?;
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    Read::by_ref(&mut file)
        .take(MAX_KEY_FILE_LEN + 1)
        .read_to_end(&mut bytes)
        .map_err(io_at(path))?;
    if bytes.len() as u64 > MAX_KEY_FILE_LEN {
        return Err(KeyFileError::TooLarge {
            path: path.to_path_buf(),
            len: bytes.len() as u64,
        });
    }
    Ok(KeyFileContents {
        bytes,
        tightened_from,
    })
}

#[cfg(unix)]
fn make_private(
    file: &File,
    meta: &fs::Metadata,
    path: &Path,
) -> Result<Option<u32>, KeyFileError> {
    use std::os::unix::fs::PermissionsExt;
    let mode = meta.permissions().mode() & 0o7777;
    if mode & 0o077 == 0 {
        return Ok(None);
    }
    file.set_permissions(fs::Permissions::from_mode(KEY_FILE_MODE))
        .map_err(|source| KeyFileError::NotPrivate {
            path: path.to_path_buf(),
            mode,
            source,
        })?;
    Ok(Some(mode))
}

#[cfg(not(unix))]
fn make_private(_: &File, _: &fs::Metadata, _: &Path) -> Result<Option<u32>, KeyFileError> {
    Ok(None)
}

impl SoftwareSigner {
    /// Writes this key's PKCS#8 document to `path` (owner-only, atomic; see the module notes).
    pub fn save_pkcs8(&self, path: &Path) -> Result<(), KeyFileError> {
        write_key_file(path, self.pkcs8())
    }

    /// Reads a key saved by [`SoftwareSigner::save_pkcs8`], narrowing the file to 0600 first if
    /// others could read it (returned as the mode it had).
    pub fn load_pkcs8(
        key_id: impl Into<String>,
        path: &Path,
    ) -> Result<(SoftwareSigner, Option<u32>), KeyFileError> {
        let contents = read_key_file(path)?;
        let signer = SoftwareSigner::from_pkcs8(key_id, &contents.bytes).map_err(|source| {
            KeyFileError::Key {
                path: path.to_path_buf(),
                source,
            }
        })?;
        Ok((signer, contents.tightened_from))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sign::Signer;

    #[cfg(unix)]
    fn mode_of(path: &Path) -> u32 {
        use std::os::unix::fs::PermissionsExt;
        fs::metadata(path).unwrap().permissions().mode() & 0o7777
    }

    #[cfg(unix)]
    #[test]
    fn a_new_key_file_is_owner_only_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("device.p8");
        let key = SoftwareSigner::generate("k").unwrap();
        key.save_pkcs8(&path).unwrap();
        assert_eq!(mode_of(&path), 0o600);
        let names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, [std::ffi::OsString::from("device.p8")]);
        let (back, tightened) = SoftwareSigner::load_pkcs8("k", &path).unwrap();
        assert_eq!(back.public_key(), key.public_key());
        assert_eq!(tightened, None);
    }

    #[cfg(unix)]
    #[test]
    fn replacing_a_world_readable_file_gives_an_owner_only_one() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("device.p8");
        fs::write(&path, b"old").unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
        write_key_file(&path, b"new").unwrap();
        assert_eq!(mode_of(&path), 0o600);
        assert_eq!(fs::read(&path).unwrap(), b"new");
    }

    #[cfg(unix)]
    #[test]
    fn a_world_readable_key_file_is_tightened_before_it_is_used() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("device.p8");
        let key = SoftwareSigner::generate("k").unwrap();
        // As an older QA CLI left it: plain write under a 022 umask.
        fs::write(&path, key.pkcs8()).unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
        let (back, tightened) = SoftwareSigner::load_pkcs8("k", &path).unwrap();
        assert_eq!(tightened, Some(0o644));
        assert_eq!(mode_of(&path), 0o600);
        assert_eq!(back.public_key(), key.public_key());
    }

    #[test]
    fn a_directory_or_an_oversized_file_is_not_a_key_file() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(
            read_key_file(dir.path()),
            Err(KeyFileError::NotAFile { .. })
        ));
        let big = dir.path().join("big.p8");
        fs::write(&big, vec![0u8; 5000]).unwrap();
        assert!(matches!(
            read_key_file(&big),
            Err(KeyFileError::TooLarge { len: 5000, .. })
        ));
    }

    #[test]
    fn a_file_that_is_not_a_key_is_a_typed_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("device.p8");
        write_key_file(&path, b"not a key").unwrap();
        assert!(matches!(
            SoftwareSigner::load_pkcs8("k", &path),
            Err(KeyFileError::Key { .. })
        ));
    }

    #[test]
    fn a_missing_key_file_is_an_io_error_naming_the_path() {
        let dir = tempfile::tempdir().unwrap();
        let err = read_key_file(&dir.path().join("absent.p8")).unwrap_err();
        assert!(err.to_string().contains("absent.p8"), "{err}");
    }
}
