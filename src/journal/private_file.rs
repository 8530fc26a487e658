//! Files that hold money state or keys are readable by their owner only (0600 on Unix).
//!
//! SQLite creates its `-wal` and `-shm` files with the mode of the database file, so making the
//! main file private before SQLite first opens it covers all three.

use std::io;
use std::path::Path;

/// Creates `path` empty with mode 0600 if it does not exist, and takes group and other access
/// away from an existing one (a file an older release created 0644). SQLite's names for a
/// database with no file (`:memory:`, the empty path) are left alone: creating them would leave a
/// stray file named `:memory:` in the working directory.
pub fn ensure_private_file(path: &Path) -> io::Result<()> {
    if path.as_os_str().is_empty() || path.as_os_str() == ":memory:" {
        return Ok(());
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path)
        {
            Ok(_) => return Ok(()),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(e),
        }
        let meta = std::fs::metadata(path)?;
        let mode = meta.permissions().mode();
        if mode & 0o077 != 0 {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode & 0o700))?;
        }
        Ok(())
    }
    #[cfg(not(unix))]
    {
        // Android and iOS are Unix; other hosts rely on the app's private directory.
        let _ = path;
        Ok(())
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(p: &Path) -> u32 {
        std::fs::metadata(p).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn a_new_file_is_created_owner_only() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("j.sqlite");
        ensure_private_file(&p).unwrap();
        assert_eq!(mode(&p), 0o600);
    }

    #[test]
    fn sqlite_in_memory_names_create_no_file() {
        let was = std::env::current_dir().unwrap();
        // Relative names resolve against the working directory: look there for a stray file.
        ensure_private_file(Path::new(":memory:")).unwrap();
        ensure_private_file(Path::new("")).unwrap();
        assert!(!was.join(":memory:").exists());
    }

    #[test]
    fn an_existing_world_readable_file_is_tightened() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("j.sqlite");
        std::fs::write(&p, b"").unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o644)).unwrap();
        ensure_private_file(&p).unwrap();
        assert_eq!(mode(&p), 0o600);
    }
}
