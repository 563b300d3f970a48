//! Taking new knowledge without a restart, and never serving a broken one.
//!
//! The knowledge lives behind an [`ArcSwap`]: a request loads the current
//! `Arc<Faq>` once and uses it to the end, so it sees the old knowledge or
//! the new, never a mix, and never waits for a reload. A reload reads and
//! validates the whole folder first and swaps only on success; on failure
//! every problem is logged with its `file:line` and the previous knowledge
//! keeps serving.
//!
//! Reloads are triggered by changes to the folder (watched with notify and
//! debounced, because editors write a file in several steps) and by
//! SIGHUP.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use arc_swap::ArcSwap;
use notify::{RecursiveMode, Watcher};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::commands;
use crate::knowledge::Diagnostics;
use crate::Faq;

/// The knowledge every transport reads, swapped whole on reload.
pub type SharedFaq = Arc<ArcSwap<Faq>>;

/// How often the folder is also looked at directly. Watching misses what
/// replaces the folder itself (deleted and recreated, a symlink moved, the
/// atomic symlink swap Kubernetes uses for a ConfigMap), so every so often
/// the files' identities are compared with the last load's.
pub const POLL: Duration = Duration::from_secs(2);
/// A look at the folder that takes longer than this (a stalled network
/// disk) is given up until the next one.
const POLL_TIMEOUT: Duration = Duration::from_secs(5);

/// How long the folder must be quiet before a change is reloaded.
pub const DEBOUNCE: Duration = Duration::from_millis(300);
/// The longest a change waits for the folder to go quiet.
pub const MAX_SETTLE: Duration = Duration::from_secs(2);

/// Called after a successful reload with the old and the new knowledge.
pub type OnReload = Box<dyn Fn(&Faq, &Faq) + Send + Sync>;

pub fn shared(faq: Faq) -> SharedFaq {
    Arc::new(ArcSwap::from_pointee(faq))
}

/// Loads the folder and, if it is valid, swaps it in. Returns the number
/// of topics now served, or every problem found (the old knowledge stays).
pub fn reload_now(
    dir: &Path,
    shared: &SharedFaq,
    on_reload: Option<&OnReload>,
) -> Result<usize, Diagnostics> {
    // A folder that is gone or wrong is one problem, not one per file.
    if let Some(problem) = crate::knowledge::folder_problem(dir) {
        return Err(Diagnostics(vec![crate::knowledge::Diagnostic {
            file: dir.to_path_buf(),
            line: 0,
            column: 0,
            message: problem,
        }]));
    }
    let faq = Faq::load(dir)?;
    let topics = faq.knowledge.topics.len();
    let old = shared.swap(Arc::new(faq));
    if let Some(callback) = on_reload {
        callback(&old, &shared.load());
    }
    Ok(topics)
}

/// Whether the commands Discord knows would change (for example a new
/// certification among `/compare`'s choices), so they must be registered
/// again.
pub fn commands_changed(old: &Faq, new: &Faq) -> bool {
    commands::ALL.iter().any(|c| c.spec(old) != c.spec(new))
}

/// The running reloader; dropping it stops the reloads (and any task
/// joined to it with [`Watching::also`]).
pub struct Watching {
    tasks: Vec<JoinHandle<()>>,
}

impl Watching {
    /// Ties another task's life to the reloader's.
    pub fn also(mut self, task: JoinHandle<()>) -> Watching {
        self.tasks.push(task);
        self
    }
}

impl Drop for Watching {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

/// A reloader that is listening but not yet reloading. It is made before
/// the knowledge is first read, so that neither an edit nor a SIGHUP
/// arriving during start-up is lost: from [`Reloader::prepare`] on, a
/// SIGHUP no longer ends the process (its default), and changes are queued
/// until [`Reloader::start`].
pub struct Reloader {
    dir: PathBuf,
    changes: mpsc::UnboundedReceiver<()>,
    watcher: Option<notify::RecommendedWatcher>,
    hangup: Hangup,
}

impl Reloader {
    /// Installs the SIGHUP handler and starts watching `dir`. Must be
    /// called inside a tokio runtime. If the folder cannot be watched (a
    /// system out of inotify watches, say), that is logged and SIGHUP still
    /// works.
    pub fn prepare(dir: PathBuf) -> Reloader {
        let (tx, changes) = mpsc::unbounded_channel::<()>();
        let watcher = watch(&dir, tx)
            .map_err(|e| {
                tracing::warn!(
                    dir = %dir.display(),
                    error = %e,
                    "cannot watch the knowledge folder; reload it with SIGHUP instead"
                );
            })
            .ok();
        Reloader {
            dir,
            changes,
            watcher,
            hangup: hangup_signal(),
        }
    }

    /// Reloads into `shared` on every change and SIGHUP until the returned
    /// guard is dropped; `on_reload` hears of each successful reload.
    pub fn start(self, shared: SharedFaq, on_reload: Option<OnReload>) -> Watching {
        let Reloader {
            dir,
            mut changes,
            watcher,
            mut hangup,
        } = self;
        let on_reload = on_reload.map(Arc::new);
        let task = tokio::spawn(async move {
            // The watcher stops when dropped: it lives as long as this task.
            let _watcher = watcher;
            let mut poll = tokio::time::interval(POLL);
            poll.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            let mut seen = look(&dir).await;
            loop {
                let trigger = tokio::select! {
                    Some(()) = changes.recv() => {
                        settle(&mut changes).await;
                        "change"
                    }
                    () = next_hangup(&mut hangup) => "SIGHUP",
                    _ = poll.tick() => {
                        let now = look(&dir).await;
                        if now.is_none() || now == seen {
                            continue;
                        }
                        "folder replaced"
                    }
                };
                seen = look(&dir).await;
                let (d, s, callback) = (dir.clone(), shared.clone(), on_reload.clone());
                let loaded =
                    tokio::task::spawn_blocking(move || reload_now(&d, &s, callback.as_deref()))
                        .await;
                match loaded {
                    Ok(result) => report(trigger, &dir, result),
                    Err(_) => tracing::error!(
                        trigger,
                        "knowledge reload stopped unexpectedly; still serving the previous version"
                    ),
                }
            }
        });
        Watching { tasks: vec![task] }
    }
}

/// One knowledge file as last seen: path, device, inode, size and
/// modification time (nanoseconds since the epoch).
type FileIdentity = (PathBuf, u64, u64, u64, i128);

/// What identifies the folder's knowledge files as they are now: where
/// the folder really is (symlinks resolved), and each `.toml` file's
/// device, inode, size and modification time. `None` when it cannot be
/// looked at (gone for a moment, or a disk that does not answer).
async fn look(dir: &Path) -> Option<Vec<FileIdentity>> {
    // A look stuck on a disk that does not answer keeps its thread; no
    // second one is started meanwhile, so a hung mount costs one thread,
    // not one every few seconds.
    static LOOKING: AtomicBool = AtomicBool::new(false);
    if LOOKING.swap(true, Ordering::AcqRel) {
        return None;
    }
    let dir = dir.to_path_buf();
    let looking = tokio::task::spawn_blocking(move || {
        let found = fingerprint(&dir);
        LOOKING.store(false, Ordering::Release);
        found
    });
    match tokio::time::timeout(POLL_TIMEOUT, looking).await {
        Ok(Ok(found)) => found,
        _ => None,
    }
}

fn fingerprint(dir: &Path) -> Option<Vec<FileIdentity>> {
    let real = std::fs::canonicalize(dir).ok()?;
    let mut files = Vec::new();
    for entry in std::fs::read_dir(&real).ok()?.map_while(Result::ok) {
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "toml") {
            continue;
        }
        // Follows symlinks: a ConfigMap's files are links into `..data`.
        let Ok(meta) = std::fs::metadata(&path) else {
            continue;
        };
        let modified = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos() as i128);
        files.push((
            path,
            identity(&meta).0,
            identity(&meta).1,
            meta.len(),
            modified,
        ));
    }
    files.push((real, 0, 0, 0, 0));
    files.sort();
    Some(files)
}

/// A file's device and inode, where the system has them.
#[cfg(unix)]
fn identity(meta: &std::fs::Metadata) -> (u64, u64) {
    use std::os::unix::fs::MetadataExt;
    (meta.dev(), meta.ino())
}
#[cfg(not(unix))]
fn identity(_: &std::fs::Metadata) -> (u64, u64) {
    (0, 0)
}

/// Waits for the folder to go quiet for [`DEBOUNCE`], as an editor's save
/// is several writes; but no longer than [`MAX_SETTLE`], so a folder that
/// never goes quiet is still reloaded.
async fn settle(changes: &mut mpsc::UnboundedReceiver<()>) {
    let deadline = tokio::time::Instant::now() + MAX_SETTLE;
    while tokio::time::Instant::now() < deadline {
        match tokio::time::timeout(DEBOUNCE, changes.recv()).await {
            Ok(Some(())) => continue,
            Ok(None) | Err(_) => break,
        }
    }
}

/// Reloads since start: taken, and refused as broken.
static RELOADED: AtomicU64 = AtomicU64::new(0);
static REFUSED: AtomicU64 = AtomicU64::new(0);

/// How many automatic or SIGHUP reloads were taken and refused since the
/// process started.
pub fn reload_counts() -> (u64, u64) {
    (
        RELOADED.load(Ordering::Relaxed),
        REFUSED.load(Ordering::Relaxed),
    )
}

/// Logs a reload's result: one line on success, every problem and a
/// summary on failure.
fn report(trigger: &str, dir: &Path, result: Result<usize, Diagnostics>) {
    let counter = if result.is_ok() { &RELOADED } else { &REFUSED };
    counter.fetch_add(1, Ordering::Relaxed);
    match result {
        Ok(topics) => {
            tracing::info!(trigger, topics, dir = %dir.display(), "knowledge reloaded")
        }
        Err(problems) => {
            for p in &problems.0 {
                tracing::error!(trigger, "{p}");
            }
            tracing::error!(
                trigger,
                problems = problems.0.len(),
                "knowledge not reloaded: still serving the previous version"
            );
        }
    }
}

/// A watcher that sends on `tx` whenever a `.toml` file in `dir` changes;
/// editors' swap and backup files are not knowledge.
fn watch(dir: &Path, tx: mpsc::UnboundedSender<()>) -> notify::Result<notify::RecommendedWatcher> {
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        let Ok(event) = event else { return };
        let knowledge = event
            .paths
            .iter()
            .any(|p| p.extension().is_some_and(|e| e == "toml"));
        if knowledge && !event.kind.is_access() {
            let _ = tx.send(());
        }
    })?;
    watcher.watch(dir, RecursiveMode::NonRecursive)?;
    Ok(watcher)
}

#[cfg(unix)]
type Hangup = Option<tokio::signal::unix::Signal>;
#[cfg(not(unix))]
type Hangup = ();

#[cfg(unix)]
fn hangup_signal() -> Hangup {
    tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup())
        .map_err(|e| tracing::warn!(error = %e, "cannot listen for SIGHUP; edits to the folder still reload"))
        .ok()
}
#[cfg(not(unix))]
fn hangup_signal() -> Hangup {}

#[cfg(unix)]
async fn next_hangup(signal: &mut Hangup) {
    match signal {
        Some(s) => {
            s.recv().await;
        }
        None => std::future::pending().await,
    }
}
#[cfg(not(unix))]
async fn next_hangup(_: &mut Hangup) {
    std::future::pending().await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_folder_gone_is_one_problem_and_the_old_knowledge_stays() {
        let dir = copy_knowledge();
        let shared = shared(Faq::load(dir.path()).unwrap_or_else(|e| panic!("{e}")));
        let gone = dir.path().join("moved-away");
        let problems = reload_now(&gone, &shared, None).err().unwrap_or_default();
        assert_eq!(problems.0.len(), 1, "{problems}");
        let line = problems.to_string();
        assert!(
            line.starts_with("there is no knowledge folder at"),
            "{line}"
        );
        assert!(line.contains("KNOWLEDGE_DIR"), "{line}");
        assert_eq!(shared.load().knowledge.topics.len(), 16);
    }

    fn copy_knowledge() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("knowledge");
        for f in [
            "article.toml",
            "provider.toml",
            "certifications.toml",
            "topics.toml",
            "vocabulary.toml",
            "out-of-scope.toml",
        ] {
            std::fs::copy(src.join(f), dir.path().join(f)).unwrap_or_else(|e| panic!("{e}"));
        }
        dir
    }

    #[test]
    fn a_broken_edit_keeps_the_previous_knowledge() {
        let dir = copy_knowledge();
        let shared = shared(Faq::load(dir.path()).unwrap_or_else(|e| panic!("{e}")));
        let topics = dir.path().join("topics.toml");
        let good = std::fs::read_to_string(&topics).unwrap_or_default();
        std::fs::write(
            &topics,
            good.replace("title = \"Does PSPO expire?\"", "title = \"\""),
        )
        .unwrap_or_default();
        let problems = reload_now(dir.path(), &shared, None)
            .err()
            .unwrap_or_default();
        assert!(
            problems.to_string().contains("the title is empty"),
            "{problems}"
        );
        assert_eq!(
            shared
                .load()
                .topic("pspo-validity")
                .map(|t| t.title.as_str()),
            Some("Does PSPO expire?")
        );

        std::fs::write(
            &topics,
            good.replace(
                "title = \"Does PSPO expire?\"",
                "title = \"Is PSPO for life?\"",
            ),
        )
        .unwrap_or_default();
        assert!(reload_now(dir.path(), &shared, None).is_ok());
        assert_eq!(
            shared
                .load()
                .topic("pspo-validity")
                .map(|t| t.title.as_str()),
            Some("Is PSPO for life?")
        );
    }

    #[test]
    fn a_new_certification_changes_the_commands() {
        let dir = copy_knowledge();
        let old = Faq::load(dir.path()).unwrap_or_else(|e| panic!("{e}"));
        assert!(!commands_changed(&old, &old));
        let mut k = old.knowledge.clone();
        let mut extra = k.certifications[0].clone();
        extra.id = "apo".into();
        extra.name = "APO".into();
        k.certifications.push(extra);
        assert!(commands_changed(&old, &Faq::new(k)));
    }
}
