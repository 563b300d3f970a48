//! Log lines gathered in memory and written to stdout in batches by a
//! background thread.
//!
//! The endpoint logs one line per request. Written directly, each line is
//! a `write` system call under stdout's lock, which the worker threads then
//! queue for; at thousands of requests a second that costs more than the
//! formatting. Here a request only copies its line into a shared buffer
//! (a short lock, no system call), and a thread writes whatever has
//! gathered every [`FLUSH_INTERVAL`]. A request never waits for stdout:
//! if the reader stalls and [`MAX_PENDING`] bytes pile up, further lines
//! are dropped (and counted) instead.

use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

use tracing_subscriber::fmt::MakeWriter;

/// How long a line may wait before it is written.
pub const FLUSH_INTERVAL: Duration = Duration::from_millis(50);
/// How much may wait before lines are dropped.
pub const MAX_PENDING: usize = 4 * 1024 * 1024;

struct Shared {
    pending: Mutex<Vec<u8>>,
    wake: Condvar,
    closing: AtomicBool,
    dropped: AtomicU64,
}

impl Shared {
    fn new() -> Shared {
        Shared {
            pending: Mutex::new(Vec::with_capacity(64 * 1024)),
            wake: Condvar::new(),
            closing: AtomicBool::new(false),
            dropped: AtomicU64::new(0),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Vec<u8>> {
        // A panic while holding the lock leaves only bytes behind: keep going.
        self.pending.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The writer to give `tracing_subscriber`; cheap to clone.
#[derive(Clone)]
pub struct BatchedStdout {
    shared: Arc<Shared>,
}

/// Writes what is left when dropped; keep it alive while logging.
pub struct FlushGuard {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

impl BatchedStdout {
    /// Starts the writing thread.
    pub fn start() -> io::Result<(BatchedStdout, FlushGuard)> {
        let shared = Arc::new(Shared::new());
        let worker = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name("log-writer".into())
            .spawn(move || write_loop(&worker, &mut io::stdout()))?;
        Ok((
            BatchedStdout {
                shared: Arc::clone(&shared),
            },
            FlushGuard {
                shared,
                thread: Some(thread),
            },
        ))
    }
}

fn write_loop(shared: &Shared, out: &mut dyn Write) {
    let mut batch = Vec::with_capacity(64 * 1024);
    loop {
        let closing = {
            let pending = shared.lock();
            let (mut pending, _) = shared
                .wake
                .wait_timeout(pending, FLUSH_INTERVAL)
                .unwrap_or_else(PoisonError::into_inner);
            std::mem::swap(&mut *pending, &mut batch);
            shared.closing.load(Ordering::Acquire)
        };
        let dropped = shared.dropped.swap(0, Ordering::Relaxed);
        if dropped > 0 {
            let _ = writeln!(batch, "(log output stalled: {dropped} lines dropped)");
        }
        // Nowhere to report a failed write to; the next batch tries again.
        let _ = out.write_all(&batch).and_then(|()| out.flush());
        batch.clear();
        if closing && shared.lock().is_empty() {
            return;
        }
    }
}

impl Drop for FlushGuard {
    fn drop(&mut self) {
        self.shared.closing.store(true, Ordering::Release);
        self.shared.wake.notify_one();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Write for &BatchedStdout {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut pending = self.shared.lock();
        if pending.len() + buf.len() > MAX_PENDING {
            drop(pending);
            self.shared.dropped.fetch_add(1, Ordering::Relaxed);
        } else {
            pending.extend_from_slice(buf);
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for BatchedStdout {
    type Writer = &'a BatchedStdout;

    fn make_writer(&'a self) -> Self::Writer {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A writer whose bytes the test can read afterwards.
    #[derive(Clone, Default)]
    struct Capture(Arc<Mutex<Vec<u8>>>);

    impl Write for Capture {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.lock().map(|mut v| v.extend_from_slice(buf)).ok();
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    fn start(capture: &Capture) -> (BatchedStdout, FlushGuard) {
        let shared = Arc::new(Shared::new());
        let worker = Arc::clone(&shared);
        let mut out = capture.clone();
        let thread = std::thread::spawn(move || write_loop(&worker, &mut out));
        let guard = FlushGuard {
            shared: Arc::clone(&shared),
            thread: Some(thread),
        };
        (BatchedStdout { shared }, guard)
    }

    fn captured(capture: &Capture) -> String {
        capture
            .0
            .lock()
            .map(|v| String::from_utf8_lossy(&v).to_string())
            .unwrap_or_default()
    }

    #[test]
    fn every_line_is_written_in_order_by_the_time_the_guard_drops() {
        let capture = Capture::default();
        let (writer, guard) = start(&capture);
        for i in 0..1000 {
            let _ = writeln!(&mut writer.make_writer(), "line {i}");
        }
        drop(guard);
        let text = captured(&capture);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 1000);
        assert!(lines
            .iter()
            .enumerate()
            .all(|(i, l)| *l == format!("line {i}")));
    }

    #[test]
    fn lines_appear_without_waiting_for_shutdown() {
        let capture = Capture::default();
        let (writer, _guard) = start(&capture);
        let _ = writeln!(&mut writer.make_writer(), "listening");
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while !captured(&capture).contains("listening") {
            assert!(std::time::Instant::now() < deadline, "never written");
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    #[test]
    fn a_stalled_output_drops_lines_instead_of_growing() {
        let writer = BatchedStdout {
            shared: Arc::new(Shared::new()),
        };
        let line = vec![b'x'; 1024];
        for _ in 0..(MAX_PENDING / 1024 + 10) {
            let _ = (&writer).write(&line);
        }
        assert!(writer.shared.lock().len() <= MAX_PENDING);
        assert_eq!(writer.shared.dropped.load(Ordering::Relaxed), 10);
    }
}
