//! An append-only JSON Lines file with a size cap: when the file would
//! grow past the cap it is renamed to `<name>.1` (the previous `.1` is
//! dropped) and a new one begins, so the logs never fill a disk.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::Serialize;

/// Default cap of one log file.
pub const DEFAULT_MAX_BYTES: u64 = 10 * 1024 * 1024;

pub struct JsonlLog {
    path: PathBuf,
    max_bytes: u64,
    state: Mutex<Option<(File, u64)>>,
}

impl JsonlLog {
    /// A log at `path`; the file and its folder are created on first write.
    pub fn new(path: impl Into<PathBuf>, max_bytes: u64) -> JsonlLog {
        JsonlLog {
            path: path.into(),
            max_bytes: max_bytes.max(1024),
            state: Mutex::new(None),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The rotated-away previous file.
    pub fn previous_path(path: &Path) -> PathBuf {
        let mut name = path.as_os_str().to_owned();
        name.push(".1");
        PathBuf::from(name)
    }

    /// Appends one record as one line.
    pub fn append<T: Serialize>(&self, record: &T) -> io::Result<()> {
        let mut line = serde_json::to_vec(record).map_err(io::Error::other)?;
        line.push(b'\n');
        let mut state = self
            .state
            .lock()
            .map_err(|_| io::Error::other("log lock poisoned"))?;
        if let Some((_, size)) = state.as_ref() {
            if size + line.len() as u64 > self.max_bytes {
                *state = None;
                fs::rename(&self.path, Self::previous_path(&self.path))?;
            }
        }
        if state.is_none() {
            if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
                fs::create_dir_all(dir)?;
            }
            let file = OpenOptions::new()
                .create(true)
                .append(true)
                .open(&self.path)?;
            let size = file.metadata()?.len();
            *state = Some((file, size));
            // An existing file already past the cap rotates before writing.
            if size > 0 && size + line.len() as u64 > self.max_bytes {
                *state = None;
                fs::rename(&self.path, Self::previous_path(&self.path))?;
                let file = OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(&self.path)?;
                *state = Some((file, 0));
            }
        }
        if let Some((file, size)) = state.as_mut() {
            file.write_all(&line)?;
            *size += line.len() as u64;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rotates_when_the_cap_is_reached_and_keeps_one_previous_file() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("sub/log.jsonl");
        let log = JsonlLog::new(&path, 1024);
        for i in 0..100 {
            log.append(&serde_json::json!({"i": i, "pad": "x".repeat(40)}))
                .unwrap_or_else(|e| panic!("{e}"));
        }
        let current = fs::read_to_string(&path).unwrap_or_default();
        let previous = fs::read_to_string(JsonlLog::previous_path(&path)).unwrap_or_default();
        assert!(current.len() <= 1024 && previous.len() <= 1024);
        assert!(current.ends_with('\n'));
        let last: serde_json::Value =
            serde_json::from_str(current.lines().last().unwrap_or("{}")).unwrap_or_default();
        assert_eq!(last["i"], 99);
        assert!(current
            .lines()
            .chain(previous.lines())
            .all(|l| serde_json::from_str::<serde_json::Value>(l).is_ok()));
    }
}
