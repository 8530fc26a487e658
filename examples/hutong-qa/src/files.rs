//! Untrusted paths for `scan`: which files a folder holds and reading one with a size cap.
//!
//! A folder may hold anything: FIFOs (opening one blocks until a writer comes), sockets,
//! devices, symlinks in a loop, a file of several gigabytes, or a symlink to `/dev/zero`.
//! Folders yield only regular files (symlinks followed, each directory visited once by
//! device and inode, so a loop ends); a path named on the command line is read whatever it
//! is except a FIFO or socket, never past the image size cap.
use std::fs::{File, Metadata};
use std::io::Read;
use std::path::{Path, PathBuf};

/// What to do with one path the user gave or a folder held.
#[derive(Debug)]
pub enum Entry {
    /// Read and scan it.
    File(PathBuf),
    /// Report it as unreadable, with why.
    Refused(PathBuf, String),
}

impl Entry {
    pub fn path(&self) -> &Path {
        match self {
            Entry::File(p) | Entry::Refused(p, _) => p,
        }
    }
}

/// Why a file type cannot be read as an image; `None` for types that can.
fn unreadable_kind(meta: &Metadata) -> Option<&'static str> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let t = meta.file_type();
        if t.is_fifo() {
            return Some("a FIFO");
        }
        if t.is_socket() {
            return Some("a socket");
        }
    }
    meta.is_dir().then_some("a directory")
}

/// A directory's identity, to visit each once however many symlinks lead to it.
#[cfg(unix)]
fn dir_key(meta: &Metadata) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    Some((meta.dev(), meta.ino()))
}

#[cfg(not(unix))]
fn dir_key(_meta: &Metadata) -> Option<(u64, u64)> {
    None
}

/// The entries under `paths`: named files as given, folders searched recursively for files
/// whose extension is in `extensions` (lower case).
pub fn collect(paths: &[PathBuf], extensions: &[&str]) -> Vec<Entry> {
    let mut entries = Vec::new();
    let mut visited = std::collections::HashSet::new();
    for path in paths {
        match std::fs::metadata(path) {
            Ok(meta) if meta.is_dir() => walk(path, meta, extensions, &mut visited, &mut entries),
            Ok(meta) => match unreadable_kind(&meta) {
                Some(kind) => entries.push(Entry::Refused(
                    path.clone(),
                    format!("not a regular file ({kind})"),
                )),
                // Named explicitly: tried whatever its extension (devices too, capped).
                None => entries.push(Entry::File(path.clone())),
            },
            Err(e) => entries.push(Entry::Refused(path.clone(), e.to_string())),
        }
    }
    entries
}

/// Depth-first, sorted, without recursion (a deep tree cannot exhaust the stack).
fn walk(
    root: &Path,
    root_meta: Metadata,
    extensions: &[&str],
    visited: &mut std::collections::HashSet<(u64, u64)>,
    out: &mut Vec<Entry>,
) {
    let mut pending = vec![(root.to_path_buf(), root_meta)];
    while let Some((dir, meta)) = pending.pop() {
        if dir_key(&meta).is_some_and(|key| !visited.insert(key)) {
            continue; // a loop, or a second way in
        }
        let mut children: Vec<PathBuf> = match std::fs::read_dir(&dir) {
            Ok(rd) => rd.filter_map(|e| e.ok().map(|e| e.path())).collect(),
            Err(e) => {
                out.push(Entry::Refused(dir, e.to_string()));
                continue;
            }
        };
        children.sort();
        let mut subdirs = Vec::new();
        for child in children {
            // Symlinks are followed (a dangling one is skipped); the target's type decides.
            let Ok(meta) = std::fs::metadata(&child) else {
                continue;
            };
            if meta.is_dir() {
                // Without inode numbers a loop cannot be told: symlinked folders stay out.
                let linked = std::fs::symlink_metadata(&child).is_ok_and(|m| m.is_symlink());
                if dir_key(&meta).is_some() || !linked {
                    subdirs.push((child, meta));
                }
            } else if meta.is_file() && has_extension(&child, extensions) {
                out.push(Entry::File(child));
            }
            // FIFOs, sockets and devices in a folder are skipped unopened.
        }
        pending.extend(subdirs.into_iter().rev());
    }
}

fn has_extension(path: &Path, extensions: &[&str]) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| extensions.contains(&e.to_ascii_lowercase().as_str()))
}

/// Opens without blocking on a FIFO that appeared since the type check (the opened file's
/// own type is checked again).
fn open(path: &Path) -> std::io::Result<File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    options.open(path)
}

/// Reads a file of at most `cap` bytes: a longer one (or an endless device) is refused after
/// `cap + 1` bytes at most, a regular file from its size without reading.
pub fn read_capped(path: &Path, cap: usize) -> Result<Vec<u8>, String> {
    let file = open(path).map_err(|e| e.to_string())?;
    let meta = file.metadata().map_err(|e| e.to_string())?;
    if let Some(kind) = unreadable_kind(&meta) {
        return Err(format!("not a regular file ({kind})"));
    }
    let too_large = |at_least: u64| {
        format!("file is {at_least} bytes or more, above the image size cap of {cap} bytes")
    };
    if meta.is_file() && meta.len() > cap as u64 {
        return Err(too_large(meta.len()));
    }
    let mut bytes = Vec::new();
    file.take(cap as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| e.to_string())?;
    if bytes.len() > cap {
        return Err(too_large(bytes.len() as u64));
    }
    Ok(bytes)
}
