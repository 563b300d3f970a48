//! An append-only JSON Lines file with a size cap: when the file would
//! grow past the cap it is renamed to `<name>.1` (the previous `.1` is
//! dropped) and a new one begins, so the logs never fill a disk.
//!
//! The file is only ever touched by one writer thread per log. Callers
//! (async workers answering people) serialize a record and hand the line
//! to a bounded queue without waiting; a slow or stalled disk therefore
//! costs lost log lines, counted and warned about, and never a frozen
//! process. The writer:
//!
//! - refuses a path that is not a regular file (a FIFO, a device): opening
//!   a FIFO for writing waits for a reader forever, so the log is turned
//!   off with one warning instead;
//! - notices a file deleted or moved away (`rm`, logrotate) by comparing
//!   the inode at the path with the open one before each line, and starts
//!   a new file, so no line goes to a file nobody can read;
//! - rotates to `<name>.1` at the size cap, as before.
//!
//! On shutdown the queued lines get a bounded time to be written, then the
//! process goes on without them.

use std::fmt;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender, SyncSender, TrySendError};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use serde::Serialize;

/// Default cap of one log file.
pub const DEFAULT_MAX_BYTES: u64 = 10 * 1024 * 1024;
/// How many lines may wait for the writer before new ones are dropped.
/// Lines are well under a kilobyte, so a full queue is under a megabyte.
pub const QUEUE_LINES: usize = 1024;
/// How long closing a log waits for its queued lines to be written.
pub const CLOSE_WAIT: Duration = Duration::from_secs(2);
/// At most one warning about dropped lines per log in this time.
pub const WARN_EVERY: Duration = Duration::from_secs(10);

/// Lines dropped by every log of the process since it started.
static DROPPED: AtomicU64 = AtomicU64::new(0);

/// How many log lines were lost since the process started, over all logs:
/// the queue was full (the disk is slow or stalled), the file could not be
/// written, or the process ended before they were written.
pub fn dropped_lines() -> u64 {
    DROPPED.load(Ordering::Relaxed)
}

#[derive(Debug, thiserror::Error)]
pub enum JsonlError {
    #[error("the record cannot be written as JSON: {0}")]
    Serialize(#[from] serde_json::Error),
    #[error("{} is not a regular file", path.display())]
    NotAFile { path: PathBuf },
    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, source: io::Error },
}

impl JsonlError {
    fn io(path: &Path) -> impl FnOnce(io::Error) -> JsonlError + '_ {
        move |source| JsonlError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}

/// What callers and the writer thread share.
struct Shared {
    path: PathBuf,
    /// Lines lost by this log.
    dropped: AtomicU64,
    /// Lines queued and not yet handled by the writer.
    pending: AtomicU64,
    /// The path was refused: lines are no longer queued.
    off: AtomicBool,
    /// When dropped lines were last warned about, and the count then.
    warned: Mutex<(Option<Instant>, u64)>,
}

impl Shared {
    fn lost(&self, lines: u64, why: &dyn fmt::Display) {
        if lines == 0 {
            return;
        }
        let total = self.dropped.fetch_add(lines, Ordering::Relaxed) + lines;
        DROPPED.fetch_add(lines, Ordering::Relaxed);
        // try_lock: a caller racing another for the warning skips it rather
        // than waits; the other one reports the count anyway.
        let Ok(mut warned) = self.warned.try_lock() else {
            return;
        };
        let (last, reported) = &mut *warned;
        if last.is_some_and(|t| t.elapsed() < WARN_EVERY) {
            return;
        }
        tracing::warn!(
            path = %self.path.display(),
            dropped = total - *reported,
            dropped_total = total,
            "log lines dropped: {why}"
        );
        *last = Some(Instant::now());
        *reported = total;
    }

    /// One queued line fewer. Saturating: closing may have given up on
    /// the writer and zeroed the count while it was still at work.
    fn handled_one(&self) {
        let _ = self
            .pending
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| {
                Some(n.saturating_sub(1))
            });
    }

    fn turn_off(&self, why: &JsonlError) {
        if !self.off.swap(true, Ordering::Relaxed) {
            tracing::warn!(path = %self.path.display(), "{why}; this log is off until restart");
        }
    }
}

/// One JSON Lines log and its writer thread. Dropping it closes it (see
/// [`JsonlLog::close`]).
pub struct JsonlLog {
    shared: Arc<Shared>,
    // std's sync_channel: bounded, with a try_send that never waits, and
    // one consumer is all a single writer needs; no extra dependency. The
    // Mutex is only held for try_send (never across I/O) and lets close()
    // drop the one sender, which is how the writer learns to finish.
    queue: Mutex<Option<SyncSender<Vec<u8>>>>,
    /// Disconnected once the writer thread has ended.
    done: Mutex<Option<Receiver<()>>>,
}

/// The writer's half, before it runs on its thread.
struct WriterParts {
    writer: Writer,
    queue: Receiver<Vec<u8>>,
    done: Sender<()>,
}

impl JsonlLog {
    /// A log at `path`; the file and its folder are created on first write.
    pub fn new(path: impl Into<PathBuf>, max_bytes: u64) -> JsonlLog {
        JsonlLog::with_queue(path, max_bytes, QUEUE_LINES)
    }

    /// As [`JsonlLog::new`], with room for `lines` queued lines.
    pub fn with_queue(path: impl Into<PathBuf>, max_bytes: u64, lines: usize) -> JsonlLog {
        let (log, parts) = JsonlLog::unstarted(path.into(), max_bytes, lines);
        let shared = Arc::clone(&log.shared);
        let started = std::thread::Builder::new()
            .name("jsonl-writer".into())
            .spawn(move || parts.run());
        if let Err(e) = started {
            shared.turn_off(&JsonlError::Io {
                path: shared.path.clone(),
                source: e,
            });
        }
        log
    }

    fn unstarted(path: PathBuf, max_bytes: u64, lines: usize) -> (JsonlLog, WriterParts) {
        let shared = Arc::new(Shared {
            path,
            dropped: AtomicU64::new(0),
            pending: AtomicU64::new(0),
            off: AtomicBool::new(false),
            warned: Mutex::new((None, 0)),
        });
        let (tx, rx) = mpsc::sync_channel(lines.max(1));
        let (done_tx, done_rx) = mpsc::channel();
        let log = JsonlLog {
            shared: Arc::clone(&shared),
            queue: Mutex::new(Some(tx)),
            done: Mutex::new(Some(done_rx)),
        };
        let parts = WriterParts {
            writer: Writer {
                shared,
                max_bytes: max_bytes.max(1024),
                file: None,
            },
            queue: rx,
            done: done_tx,
        };
        (log, parts)
    }

    pub fn path(&self) -> &Path {
        &self.shared.path
    }

    /// The rotated-away previous file.
    pub fn previous_path(path: &Path) -> PathBuf {
        let mut name = path.as_os_str().to_owned();
        name.push(".1");
        PathBuf::from(name)
    }

    /// Lines this log lost (see [`dropped_lines`] for the whole process).
    pub fn dropped(&self) -> u64 {
        self.shared.dropped.load(Ordering::Relaxed)
    }

    /// Lines waiting for the writer.
    pub fn pending(&self) -> u64 {
        self.shared.pending.load(Ordering::Relaxed)
    }

    /// Whether the path was refused (not a regular file), so nothing is
    /// written any more.
    pub fn is_off(&self) -> bool {
        self.shared.off.load(Ordering::Relaxed)
    }

    /// Queues one record as one line, without waiting: when the queue is
    /// full or the log is closed, the line is dropped and counted. The only
    /// error is a record that is not JSON.
    pub fn append<T: Serialize>(&self, record: &T) -> Result<(), JsonlError> {
        if self.is_off() {
            // Lost all the same: counted, so the metric tells the truth.
            self.shared.lost(1, &"the log is off");
            return Ok(());
        }
        let mut line = serde_json::to_vec(record)?;
        line.push(b'\n');
        let queue = self.queue.lock().unwrap_or_else(PoisonError::into_inner);
        let Some(tx) = queue.as_ref() else {
            drop(queue);
            self.shared.lost(1, &"the log is closed");
            return Ok(());
        };
        // Counted before sending, so the writer never sees it below zero.
        self.shared.pending.fetch_add(1, Ordering::Relaxed);
        let sent = tx.try_send(line);
        drop(queue);
        if let Err(e) = sent {
            self.shared.handled_one();
            let why: &dyn fmt::Display = match e {
                TrySendError::Full(_) => &"the writer is behind (is the disk slow or stalled?)",
                TrySendError::Disconnected(_) => &"the writer has stopped",
            };
            self.shared.lost(1, why);
        }
        Ok(())
    }

    /// Stops taking lines and waits at most `wait` for the queued ones to
    /// be written. Returns whether the writer finished; if not (a stalled
    /// disk), the lines still queued are counted as dropped and the writer
    /// is left behind.
    pub fn close(&self, wait: Duration) -> bool {
        self.stop_taking();
        self.wait_done(Instant::now() + wait)
    }

    /// Closes several logs with one shared deadline, so shutdown waits
    /// `wait` at most in all.
    pub fn close_all(logs: &[&JsonlLog], wait: Duration) -> bool {
        let deadline = Instant::now() + wait;
        for log in logs {
            log.stop_taking();
        }
        // Every log is waited for (and warned about), even after one
        // gave up: no short circuit.
        let mut all = true;
        for log in logs {
            all &= log.wait_done(deadline);
        }
        all
    }

    fn stop_taking(&self) {
        // Dropping the sender lets the writer drain the queue and end.
        drop(
            self.queue
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .take(),
        );
    }

    fn wait_done(&self, deadline: Instant) -> bool {
        let done = self
            .done
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        let Some(done) = done else { return true };
        let left = deadline.saturating_duration_since(Instant::now());
        match done.recv_timeout(left) {
            // The writer only drops its end, when it has finished.
            Ok(()) | Err(RecvTimeoutError::Disconnected) => true,
            Err(RecvTimeoutError::Timeout) => {
                let pending = self.pending();
                tracing::warn!(
                    path = %self.path().display(),
                    pending,
                    "the log writer did not finish in time (is the disk stalled?); going on without it"
                );
                self.shared.pending.store(0, Ordering::Relaxed);
                self.shared
                    .lost(pending, &"the writer did not finish in time");
                false
            }
        }
    }
}

impl Drop for JsonlLog {
    fn drop(&mut self) {
        self.close(CLOSE_WAIT);
    }
}

impl fmt::Debug for JsonlLog {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JsonlLog")
            .field("path", &self.shared.path)
            .field("dropped", &self.dropped())
            .field("pending", &self.pending())
            .field("off", &self.is_off())
            .finish()
    }
}

impl WriterParts {
    fn run(self) {
        let WriterParts {
            mut writer,
            queue,
            done,
        } = self;
        // Refused at once, so the warning comes at start-up and not with
        // the first question.
        if let Err(e @ JsonlError::NotAFile { .. }) = not_a_file(&writer.shared.path) {
            writer.shared.turn_off(&e);
        }
        for line in queue.iter() {
            if writer.shared.off.load(Ordering::Relaxed) {
                writer.shared.lost(1, &"the log is off");
            } else {
                writer.write(&line);
            }
            writer.shared.handled_one();
        }
        // The file has no buffer of ours: every line was one write_all.
        drop(done);
    }
}

/// The file being written.
struct Current {
    file: File,
    size: u64,
    id: Option<(u64, u64)>,
}

/// Owned by the writer thread alone.
struct Writer {
    shared: Arc<Shared>,
    max_bytes: u64,
    file: Option<Current>,
}

impl Writer {
    fn write(&mut self, line: &[u8]) {
        let result = self.try_write(line).or_else(|e| match e {
            JsonlError::NotAFile { .. } => Err(e),
            // Once more on a freshly opened file: the old handle may have
            // gone bad (a replaced file, a stale network mount).
            _ => {
                self.file = None;
                self.try_write(line)
            }
        });
        match result {
            Ok(()) => {}
            Err(e @ JsonlError::NotAFile { .. }) => {
                self.file = None;
                self.shared.turn_off(&e);
            }
            Err(e) => {
                self.file = None;
                self.shared.lost(1, &e);
            }
        }
    }

    fn try_write(&mut self, line: &[u8]) -> Result<(), JsonlError> {
        let path = self.shared.path.clone();
        self.follow_the_path();
        let mut current = match self.file.take() {
            Some(current) => current,
            None => open(&path)?,
        };
        let len = line.len() as u64;
        if current.size > 0 && current.size + len > self.max_bytes {
            drop(current);
            fs::rename(&path, JsonlLog::previous_path(&path)).map_err(JsonlError::io(&path))?;
            current = open(&path)?;
        }
        current
            .file
            .write_all(line)
            .map_err(JsonlError::io(&path))?;
        current.size += len;
        self.file = Some(current);
        Ok(())
    }

    /// Forgets the open file when the path no longer leads to it (deleted,
    /// moved, replaced), so the next line starts a new one. A stat per line
    /// is cheap next to how rarely these logs are written, and checking
    /// every line means none is written into a file already gone.
    fn follow_the_path(&mut self) {
        let Some(current) = self.file.as_mut() else {
            return;
        };
        match fs::metadata(&self.shared.path) {
            Ok(meta) if meta.is_file() && file_id(&meta) == current.id => {
                // Also catches a file truncated in place (copytruncate).
                current.size = meta.len();
            }
            _ => self.file = None,
        }
    }
}

/// Refuses a path that exists and is not a regular file.
fn not_a_file(path: &Path) -> Result<(), JsonlError> {
    match fs::metadata(path) {
        Ok(meta) if !meta.is_file() => Err(JsonlError::NotAFile {
            path: path.to_path_buf(),
        }),
        _ => Ok(()),
    }
}

fn open(path: &Path) -> Result<Current, JsonlError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        fs::create_dir_all(dir).map_err(JsonlError::io(dir))?;
    }
    not_a_file(path)?;
    let mut options = OpenOptions::new();
    options.create(true).append(true);
    // The check above can race with a FIFO put in the file's place; with
    // O_NONBLOCK, opening a FIFO without a reader fails at once instead of
    // waiting, and one with a reader is refused below. On a regular file
    // the flag changes nothing.
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path).map_err(|e| {
        if e.raw_os_error() == Some(ENXIO) {
            JsonlError::NotAFile {
                path: path.to_path_buf(),
            }
        } else {
            JsonlError::io(path)(e)
        }
    })?;
    let meta = file.metadata().map_err(JsonlError::io(path))?;
    if !meta.is_file() {
        return Err(JsonlError::NotAFile {
            path: path.to_path_buf(),
        });
    }
    Ok(Current {
        file,
        size: meta.len(),
        id: file_id(&meta),
    })
}

/// What a non-blocking open of a FIFO with no reader fails with.
#[cfg(unix)]
const ENXIO: i32 = libc::ENXIO;
#[cfg(not(unix))]
const ENXIO: i32 = -1;

#[cfg(unix)]
fn file_id(meta: &fs::Metadata) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    Some((meta.dev(), meta.ino()))
}

/// Without inodes a moved file is not noticed; a deleted one still is when
/// writing to it fails.
#[cfg(not(unix))]
fn file_id(_: &fs::Metadata) -> Option<(u64, u64)> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Waits (bounded) until the writer has handled every queued line.
    fn settle(log: &JsonlLog) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while log.pending() > 0 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(5));
        }
        assert_eq!(log.pending(), 0, "the writer did not catch up");
    }

    fn read_lines(path: &Path) -> Vec<serde_json::Value> {
        fs::read_to_string(path)
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l:?}: {e}")))
            .collect()
    }

    #[test]
    fn rotates_when_the_cap_is_reached_and_keeps_one_previous_file() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("sub/log.jsonl");
        let log = JsonlLog::new(&path, 1024);
        for i in 0..100 {
            log.append(&serde_json::json!({"i": i, "pad": "x".repeat(40)}))
                .unwrap_or_else(|e| panic!("{e}"));
        }
        assert!(log.close(Duration::from_secs(10)));
        assert_eq!(log.dropped(), 0);
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

    #[test]
    fn a_file_already_past_the_cap_rotates_before_the_first_line() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("log.jsonl");
        let old = format!("{}\n", "x".repeat(2000));
        fs::write(&path, &old).unwrap_or_else(|e| panic!("{e}"));
        let log = JsonlLog::new(&path, 1024);
        log.append(&serde_json::json!({"i": 1}))
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(log.close(Duration::from_secs(10)));
        assert_eq!(read_lines(&path), [serde_json::json!({"i": 1})]);
        assert_eq!(
            fs::read_to_string(JsonlLog::previous_path(&path)).unwrap_or_default(),
            old
        );
    }

    #[test]
    fn a_full_queue_drops_and_counts_lines_without_waiting() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("log.jsonl");
        // No writer yet: as if it were stuck on a stalled disk.
        let (log, parts) = JsonlLog::unstarted(path.clone(), DEFAULT_MAX_BYTES, 3);
        let before = dropped_lines();
        let started = Instant::now();
        for i in 0..10 {
            log.append(&serde_json::json!({ "i": i }))
                .unwrap_or_else(|e| panic!("{e}"));
        }
        assert!(started.elapsed() < Duration::from_secs(5), "append waited");
        assert_eq!((log.pending(), log.dropped()), (3, 7));
        assert!(dropped_lines() >= before + 7);
        // Once the writer runs, the queued lines land and nothing else.
        let writer = std::thread::spawn(move || parts.run());
        assert!(log.close(Duration::from_secs(10)));
        assert!(writer.join().is_ok());
        let numbers: Vec<i64> = read_lines(&path)
            .iter()
            .filter_map(|l| l["i"].as_i64())
            .collect();
        assert_eq!(numbers, [0, 1, 2]);
        assert_eq!(log.dropped(), 7);
    }

    #[test]
    fn closing_gives_up_on_a_stuck_writer_and_counts_what_was_queued() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let (log, parts) = JsonlLog::unstarted(dir.path().join("log.jsonl"), DEFAULT_MAX_BYTES, 8);
        for i in 0..2 {
            log.append(&serde_json::json!({ "i": i }))
                .unwrap_or_else(|e| panic!("{e}"));
        }
        let started = Instant::now();
        assert!(!log.close(Duration::from_millis(100)));
        assert!(started.elapsed() < Duration::from_secs(5));
        assert_eq!(log.dropped(), 2);
        // Closed: further lines are dropped too, at once.
        log.append(&serde_json::json!({"late": true}))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(log.dropped(), 3);
        drop(parts);
    }

    #[test]
    fn a_deleted_or_moved_file_is_started_again_and_gets_the_next_lines() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("log.jsonl");
        let log = JsonlLog::new(&path, DEFAULT_MAX_BYTES);
        log.append(&serde_json::json!({"i": 1}))
            .unwrap_or_else(|e| panic!("{e}"));
        settle(&log);
        fs::remove_file(&path).unwrap_or_else(|e| panic!("{e}"));
        log.append(&serde_json::json!({"i": 2}))
            .unwrap_or_else(|e| panic!("{e}"));
        settle(&log);
        assert_eq!(read_lines(&path), [serde_json::json!({"i": 2})]);

        let moved = dir.path().join("log.jsonl.old");
        fs::rename(&path, &moved).unwrap_or_else(|e| panic!("{e}"));
        log.append(&serde_json::json!({"i": 3}))
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(log.close(Duration::from_secs(10)));
        assert_eq!(read_lines(&moved), [serde_json::json!({"i": 2})]);
        assert_eq!(read_lines(&path), [serde_json::json!({"i": 3})]);
        assert_eq!(log.dropped(), 0);
    }

    #[test]
    fn a_file_truncated_in_place_keeps_being_written_and_sized_right() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("log.jsonl");
        let log = JsonlLog::new(&path, 1024);
        for i in 0..10 {
            log.append(&serde_json::json!({"i": i, "pad": "x".repeat(60)}))
                .unwrap_or_else(|e| panic!("{e}"));
        }
        settle(&log);
        File::create(&path).unwrap_or_else(|e| panic!("{e}"));
        log.append(&serde_json::json!({"i": 10}))
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(log.close(Duration::from_secs(10)));
        assert_eq!(read_lines(&path), [serde_json::json!({"i": 10})]);
        assert!(!JsonlLog::previous_path(&path).exists());
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_is_refused_without_hanging_and_the_log_is_off() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("log.jsonl");
        let made = std::process::Command::new("mkfifo")
            .arg(&path)
            .status()
            .unwrap_or_else(|e| panic!("mkfifo: {e}"));
        assert!(made.success());
        // In a thread of its own, so a hang fails the test instead of
        // stopping it.
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let log = JsonlLog::new(&path, DEFAULT_MAX_BYTES);
            for i in 0..5 {
                let _ = log.append(&serde_json::json!({ "i": i }));
            }
            let closed = log.close(Duration::from_secs(5));
            let _ = tx.send((closed, log.is_off(), log.dropped()));
        });
        let (closed, off, dropped) = rx
            .recv_timeout(Duration::from_secs(20))
            .unwrap_or_else(|e| panic!("the log hung on a FIFO: {e}"));
        assert!(closed && off);
        assert_eq!(
            dropped, 5,
            "every line a log that is off could not write is counted"
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_file_replaced_by_a_fifo_turns_the_log_off() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("log.jsonl");
        let log = JsonlLog::new(&path, DEFAULT_MAX_BYTES);
        log.append(&serde_json::json!({"i": 1}))
            .unwrap_or_else(|e| panic!("{e}"));
        settle(&log);
        fs::remove_file(&path).unwrap_or_else(|e| panic!("{e}"));
        let made = std::process::Command::new("mkfifo")
            .arg(&path)
            .status()
            .unwrap_or_else(|e| panic!("mkfifo: {e}"));
        assert!(made.success());
        log.append(&serde_json::json!({"i": 2}))
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(log.close(Duration::from_secs(10)));
        assert!(log.is_off());
    }
}
