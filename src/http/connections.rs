//! The connections of `serve-http`, each bounded in time, and all of them
//! in number.
//!
//! axum's own `serve` hides the connections: it has no cap, no timeout
//! for a request head or an idle keep-alive connection, and it sleeps on
//! accept errors without a word. So the server runs this accept loop
//! instead, on hyper's HTTP/1 connection (the one axum uses underneath):
//!
//! - **Time.** Every connection is always in one [`Stage`], and each stage
//!   has a deadline: the request head must arrive within
//!   [`Limits::head_timeout`] (counted from the connection opening, or from
//!   the first byte of a later request), the body must be read and answered
//!   within [`Limits::body_timeout`], and a keep-alive connection may wait
//!   for its next request for [`Limits::idle_timeout`]. The deadline is
//!   enforced where the bytes are read ([`Bounded`]), so a client that
//!   trickles one byte at a time gains nothing. (hyper's own
//!   `header_read_timeout` is off: it starts the moment a response is
//!   sent, so it cannot tell an idle connection from a slow head.)
//! - **Number.** At most [`Limits::max_connections`] are served; each holds
//!   a semaphore permit. Over the cap, a few more
//!   ([`MONITOR_ONLY_CONNECTIONS`]) are answered on `/healthz` and
//!   `/metrics` only, one request each, so a health check still works in a
//!   flood; beyond those a connection is closed as soon as it is accepted.
//!   Either way a warning is logged (at most every [`WARN_EVERY`]) and
//!   counted in `/metrics`.
//! - **Accept errors** (such as running out of file descriptors) are
//!   logged the same way and counted; the loop backs off briefly
//!   ([`ACCEPT_BACKOFF`]) and keeps accepting.
//!
//! So a slow client costs one task and its buffers (the read buffer is
//! capped at [`MAX_READ_BUFFER`], the body at the server's `MAX_BODY`)
//! until its deadline, and never more than the cap of them at once.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::Router;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::Service as _;
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, OwnedSemaphorePermit, Semaphore};
use tokio::time::Sleep;

use super::metrics::Metrics;

/// How long a client may take to send a request head, unless
/// `HTTP_HEAD_TIMEOUT_SECONDS` says otherwise. Discord sends a request in
/// one go and wants the answer within 3 seconds, so a head that has not
/// arrived after 5 can only be a slow or hostile client.
pub const DEFAULT_HEAD_TIMEOUT: Duration = Duration::from_secs(5);

/// How long reading the body and answering may take
/// (`HTTP_BODY_TIMEOUT_SECONDS`): as for the head, anything past Discord's
/// 3 seconds is already too late to be useful.
pub const DEFAULT_BODY_TIMEOUT: Duration = Duration::from_secs(5);

/// How long a keep-alive connection may wait for its next request
/// (`HTTP_IDLE_TIMEOUT_SECONDS`). Long enough that Discord or a reverse
/// proxy reuses its connections between interactions (nginx keeps idle
/// upstream connections 60 s, too), short enough that abandoned ones go.
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(60);

/// Most connections served at once (`HTTP_MAX_CONNECTIONS`). Discord
/// needs a handful; 512 leaves room under the usual limit of 1024 open
/// files for the monitor-only connections, the logs and the knowledge
/// watcher, and costs at most about 512 × 90 KiB (read buffer plus body)
/// of memory when every connection is as big as allowed.
pub const DEFAULT_MAX_CONNECTIONS: u32 = 512;

/// Connections over the cap that are still answered on `/healthz` and
/// `/metrics` (one request each, with the head timeout of at most
/// [`MONITOR_ONLY_TIMEOUT`]): enough for health checks and a scraper.
pub const MONITOR_ONLY_CONNECTIONS: u32 = 32;

/// The longest a monitor-only connection may take for its head or body.
const MONITOR_ONLY_TIMEOUT: Duration = Duration::from_secs(2);

/// The pause after an accept error that is not about one connection (out
/// of file descriptors or memory): retrying at once would spin while the
/// cause lasts; a tenth of a second is imperceptible to a client waiting
/// in the listen queue.
pub const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);

/// At most one warning per cause in this long, however many connections
/// are refused or accepts fail meanwhile (each warning says how many).
pub const WARN_EVERY: Duration = Duration::from_secs(10);

/// The largest read buffer of a connection, so the largest request head
/// too. Discord's heads are under 2 KiB; hyper's minimum is 8 KiB and its
/// default, 400 KiB, would let each slow client hold that much.
pub const MAX_READ_BUFFER: usize = 16 * 1024;

/// How long each client may take, and how many are served at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub head_timeout: Duration,
    pub body_timeout: Duration,
    pub idle_timeout: Duration,
    pub max_connections: u32,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            head_timeout: DEFAULT_HEAD_TIMEOUT,
            body_timeout: DEFAULT_BODY_TIMEOUT,
            idle_timeout: DEFAULT_IDLE_TIMEOUT,
            max_connections: DEFAULT_MAX_CONNECTIONS,
        }
    }
}

impl Limits {
    fn of(&self, stage: Stage) -> Duration {
        match stage {
            Stage::Head => self.head_timeout,
            Stage::Body => self.body_timeout,
            Stage::Idle => self.idle_timeout,
        }
    }

    /// The limits of a connection over the cap: short, for one request.
    fn monitor_only(&self) -> Limits {
        Limits {
            head_timeout: self.head_timeout.min(MONITOR_ONLY_TIMEOUT),
            body_timeout: self.body_timeout.min(MONITOR_ONLY_TIMEOUT),
            idle_timeout: self.idle_timeout.min(MONITOR_ONLY_TIMEOUT),
            ..*self
        }
    }
}

/// Where a connection is in its request cycle, which decides its deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Waiting for a request head: from the connection opening, or from
    /// the first byte after an idle wait.
    Head,
    /// The head is in: reading the body and answering.
    Body,
    /// Answered; waiting for the next request on a keep-alive connection.
    Idle,
}

impl Stage {
    pub const ALL: [Stage; 3] = [Stage::Head, Stage::Body, Stage::Idle];

    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Head => "head",
            Stage::Body => "body",
            Stage::Idle => "idle",
        }
    }

    fn to_bits(self) -> u64 {
        match self {
            Stage::Head => 0,
            Stage::Body => 1,
            Stage::Idle => 2,
        }
    }

    fn from_bits(bits: u64) -> Stage {
        match bits {
            0 => Stage::Head,
            1 => Stage::Body,
            _ => Stage::Idle,
        }
    }
}

/// What became of a connection over the cap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OverLimit {
    /// Answered on the monitor routes only.
    MonitorOnly,
    /// Closed at once: the monitor-only connections were all taken too.
    Closed,
}

impl OverLimit {
    pub const ALL: [OverLimit; 2] = [OverLimit::MonitorOnly, OverLimit::Closed];

    pub fn as_str(self) -> &'static str {
        match self {
            OverLimit::MonitorOnly => "monitor_only",
            OverLimit::Closed => "closed",
        }
    }
}

/// A connection's stage and deadline, set by the request handling and read
/// where the bytes are. Both sit in one atomic (the stage in the top two
/// bits, the deadline in milliseconds after `opened` below them), so a
/// reader never sees one without the other.
struct Progress {
    opened: Instant,
    limits: Limits,
    state: AtomicU64,
}

const STAGE_SHIFT: u32 = 62;
const DEADLINE_MASK: u64 = (1 << STAGE_SHIFT) - 1;

impl Progress {
    fn new(limits: Limits) -> Progress {
        let progress = Progress {
            opened: Instant::now(),
            limits,
            state: AtomicU64::new(0),
        };
        progress.enter(Stage::Head);
        progress
    }

    /// Moves to `stage`, whose time starts now.
    fn enter(&self, stage: Stage) {
        let due = self.opened.elapsed() + self.limits.of(stage);
        let due_ms = u64::try_from(due.as_millis()).unwrap_or(DEADLINE_MASK) & DEADLINE_MASK;
        self.state
            .store((stage.to_bits() << STAGE_SHIFT) | due_ms, Relaxed);
    }

    fn stage(&self) -> Stage {
        unpack(self.state.load(Relaxed)).0
    }
}

fn unpack(state: u64) -> (Stage, u64) {
    (
        Stage::from_bits(state >> STAGE_SHIFT),
        state & DEADLINE_MASK,
    )
}

/// A client's socket that fails (or, when idle, ends) once its stage's
/// deadline has passed. Checked on every read and on every write that has
/// to wait, with a timer that wakes the connection at the deadline.
struct Bounded {
    stream: TcpStream,
    progress: Arc<Progress>,
    timer: Pin<Box<Sleep>>,
    /// The state the timer was last set for.
    armed_for: Option<u64>,
    metrics: Arc<Metrics>,
    expired: bool,
}

impl Bounded {
    fn new(stream: TcpStream, progress: Arc<Progress>, metrics: Arc<Metrics>) -> Bounded {
        Bounded {
            stream,
            progress,
            timer: Box::pin(tokio::time::sleep(Duration::ZERO)),
            armed_for: None,
            metrics,
            expired: false,
        }
    }

    /// Ready with the stage once its deadline has passed; otherwise the
    /// timer will wake the connection when it does.
    fn poll_deadline(&mut self, cx: &mut Context<'_>) -> Poll<Stage> {
        let state = self.progress.state.load(Relaxed);
        let (stage, due_ms) = unpack(state);
        if self.armed_for != Some(state) {
            let due = self.progress.opened + Duration::from_millis(due_ms);
            self.timer.as_mut().reset(due.into());
            self.armed_for = Some(state);
        }
        match self.timer.as_mut().poll(cx) {
            Poll::Ready(()) => {
                if !self.expired {
                    self.expired = true;
                    self.metrics.timed_out(stage);
                    tracing::debug!(
                        stage = stage.as_str(),
                        "closing a connection that took too long"
                    );
                }
                Poll::Ready(stage)
            }
            Poll::Pending => Poll::Pending,
        }
    }
}

fn too_slow(stage: Stage) -> io::Error {
    io::Error::new(
        io::ErrorKind::TimedOut,
        format!("the {} took too long", stage.as_str()),
    )
}

impl AsyncRead for Bounded {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        // Checked before reading too, so a client that keeps a little data
        // coming cannot keep the read from ever waiting (and so the
        // deadline from ever being looked at).
        if let Poll::Ready(stage) = this.poll_deadline(cx) {
            return Poll::Ready(match stage {
                // An idle connection simply ends, as if the client left.
                Stage::Idle => Ok(()),
                _ => Err(too_slow(stage)),
            });
        }
        let before = buf.filled().len();
        let read = Pin::new(&mut this.stream).poll_read(cx, buf);
        if matches!(read, Poll::Ready(Ok(())))
            && buf.filled().len() > before
            && this.progress.stage() == Stage::Idle
        {
            // The first byte of the next request: its head's time starts.
            this.progress.enter(Stage::Head);
        }
        read
    }
}

impl AsyncWrite for Bounded {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        match Pin::new(&mut this.stream).poll_write(cx, buf) {
            Poll::Pending => this.poll_deadline(cx).map(|stage| Err(too_slow(stage))),
            done => done,
        }
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        match Pin::new(&mut this.stream).poll_write_vectored(cx, bufs) {
            Poll::Pending => this.poll_deadline(cx).map(|stage| Err(too_slow(stage))),
            done => done,
        }
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_shutdown(cx)
    }
}

/// Lets a warning through at most once per period, and counts the ones it
/// held back, so a flood of refusals is a line every few seconds, not a
/// flood of lines.
#[derive(Debug)]
pub struct Throttle {
    period: Duration,
    next: Option<Instant>,
    held_back: u64,
}

impl Throttle {
    pub fn new(period: Duration) -> Throttle {
        Throttle {
            period,
            next: None,
            held_back: 0,
        }
    }

    /// `Some(n)` when a warning may be logged now, `n` being how many were
    /// held back since the last one.
    pub fn ready(&mut self, now: Instant) -> Option<u64> {
        if self.next.is_none_or(|next| now >= next) {
            self.next = Some(now + self.period);
            Some(std::mem::take(&mut self.held_back))
        } else {
            self.held_back += 1;
            None
        }
    }
}

/// What the accept loop serves.
pub struct Routes {
    /// Everything, for connections within the cap.
    pub full: Router,
    /// The monitor routes only, for the few connections over it.
    pub monitor_only: Router,
}

/// Accepts connections on `listener` until `shutdown` completes, then
/// stops accepting, asks every connection to close once its request in
/// flight is answered, and waits for them for at most `drain_timeout`.
pub async fn serve<F>(
    listener: TcpListener,
    routes: Routes,
    limits: Limits,
    metrics: Arc<Metrics>,
    drain_timeout: Duration,
    shutdown: F,
) -> io::Result<()>
where
    F: Future<Output = ()> + Send + 'static,
{
    let max = limits.max_connections.max(1);
    let within_limit = Arc::new(Semaphore::new(max as usize));
    let monitor_only = Arc::new(Semaphore::new(MONITOR_ONLY_CONNECTIONS as usize));
    let (stopping_tx, stopping) = watch::channel(false);
    metrics.set_connection_limit(max);
    let mut refusals = Throttle::new(WARN_EVERY);
    let mut accept_failures = Throttle::new(WARN_EVERY);
    tokio::pin!(shutdown);

    loop {
        let accepted = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => accepted,
        };
        let stream = match accepted {
            Ok((stream, _peer)) => stream,
            Err(e) => {
                metrics.accept_error();
                if let Some(held_back) = accept_failures.ready(Instant::now()) {
                    tracing::warn!(
                        held_back,
                        "cannot accept a connection: {e}; retrying (open connections: {})",
                        max as usize - within_limit.available_permits()
                    );
                }
                // A connection that failed on its own way in (reset before
                // it was accepted) says nothing about the next one; anything
                // else (out of file descriptors, of memory) lasts a while.
                let about_one_connection = matches!(
                    e.kind(),
                    io::ErrorKind::ConnectionAborted
                        | io::ErrorKind::ConnectionReset
                        | io::ErrorKind::ConnectionRefused
                        | io::ErrorKind::Interrupted
                );
                if !about_one_connection {
                    tokio::select! {
                        () = &mut shutdown => break,
                        () = tokio::time::sleep(ACCEPT_BACKOFF) => {}
                    }
                }
                continue;
            }
        };
        // Replies are one small write each; don't let Nagle hold them back.
        let _ = stream.set_nodelay(true);

        if let Ok(permit) = Arc::clone(&within_limit).try_acquire_owned() {
            let open = Open::new(Arc::clone(&metrics), permit, true);
            tokio::spawn(connection(
                stream,
                routes.full.clone(),
                limits,
                open,
                stopping.clone(),
            ));
            continue;
        }
        let outcome = match Arc::clone(&monitor_only).try_acquire_owned() {
            Ok(permit) => {
                let open = Open::new(Arc::clone(&metrics), permit, false);
                tokio::spawn(connection(
                    stream,
                    routes.monitor_only.clone(),
                    limits.monitor_only(),
                    open,
                    stopping.clone(),
                ));
                OverLimit::MonitorOnly
            }
            Err(_) => {
                drop(stream);
                OverLimit::Closed
            }
        };
        metrics.over_limit(outcome);
        if let Some(held_back) = refusals.ready(Instant::now()) {
            tracing::warn!(
                limit = max,
                held_back,
                outcome = outcome.as_str(),
                "connection limit reached: {max} connections open; new ones get /healthz and /metrics only, or are closed (HTTP_MAX_CONNECTIONS)"
            );
        }
    }

    tracing::info!("shutting down: no new connections, finishing requests in flight");
    drop(listener);
    let _ = stopping_tx.send(true);
    // Every connection gives its permit back when it closes, so holding
    // them all means every connection is gone.
    let drained = async {
        let _all = within_limit.acquire_many(max).await;
        let _also = monitor_only.acquire_many(MONITOR_ONLY_CONNECTIONS).await;
    };
    if tokio::time::timeout(drain_timeout, drained).await.is_err() {
        tracing::warn!("requests still in flight after {drain_timeout:?}; stopping anyway");
    }
    Ok(())
}

/// A connection being served: holds its permit, and counts as open in
/// `/metrics` (when within the cap) until dropped.
struct Open {
    metrics: Arc<Metrics>,
    _permit: OwnedSemaphorePermit,
    counted: bool,
}

impl Open {
    fn new(metrics: Arc<Metrics>, permit: OwnedSemaphorePermit, counted: bool) -> Open {
        if counted {
            metrics.connection_opened();
        }
        Open {
            metrics,
            _permit: permit,
            counted,
        }
    }
}

impl Drop for Open {
    fn drop(&mut self) {
        if self.counted {
            self.metrics.connection_closed();
        }
    }
}

/// Serves one connection until the client leaves, a deadline passes, or
/// the server stops.
async fn connection(
    stream: TcpStream,
    router: Router,
    limits: Limits,
    open: Open,
    mut stopping: watch::Receiver<bool>,
) {
    // Completes when the server stops (or is gone); the guard `wait_for`
    // returns is dropped here, as it must not be held across an await.
    let stop = async move {
        let _ = stopping.wait_for(|stop| *stop).await.map(|_| ());
    };
    let progress = Arc::new(Progress::new(limits));
    let io = TokioIo::new(Bounded::new(
        stream,
        Arc::clone(&progress),
        Arc::clone(&open.metrics),
    ));
    let app = TowerToHyperService::new(router);
    let service = hyper::service::service_fn(move |request: hyper::Request<Incoming>| {
        progress.enter(Stage::Body);
        let answered = app.call(request);
        let progress = Arc::clone(&progress);
        async move {
            let response = answered.await;
            progress.enter(Stage::Idle);
            // hyper waits for the socket now and would not look at the new
            // deadline before the old timer fired; waking the connection's
            // task (this one) makes it read, which sets the idle timer.
            std::future::poll_fn(|cx| {
                cx.waker().wake_by_ref();
                Poll::Ready(())
            })
            .await;
            response
        }
    });
    let mut http = http1::Builder::new();
    http.max_buf_size(MAX_READ_BUFFER)
        // Off: the deadlines above do this, and tell idle from slow.
        .header_read_timeout(None)
        // A connection over the cap gets one answer, then is closed.
        .keep_alive(open.counted);
    let served = http.serve_connection(io, service);
    tokio::pin!(served);
    let result = tokio::select! {
        result = served.as_mut() => result,
        () = stop => {
            // Closes at once when idle, else after the answer in flight.
            served.as_mut().graceful_shutdown();
            served.await
        }
    };
    if let Err(e) = result {
        tracing::debug!("connection ended: {e}");
    }
    drop(open);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_throttle_lets_one_warning_through_per_period_and_counts_the_rest() {
        let mut throttle = Throttle::new(Duration::from_secs(10));
        let start = Instant::now();
        assert_eq!(throttle.ready(start), Some(0));
        for i in 1..=5 {
            assert_eq!(throttle.ready(start + Duration::from_secs(i)), None);
        }
        assert_eq!(throttle.ready(start + Duration::from_secs(10)), Some(5));
        assert_eq!(throttle.ready(start + Duration::from_secs(11)), None);
        assert_eq!(throttle.ready(start + Duration::from_secs(25)), Some(1));
    }

    #[test]
    fn progress_keeps_the_stage_and_its_deadline_together() {
        let limits = Limits {
            head_timeout: Duration::from_secs(3),
            body_timeout: Duration::from_secs(7),
            idle_timeout: Duration::from_secs(60),
            max_connections: 1,
        };
        let progress = Progress::new(limits);
        let (stage, due_ms) = unpack(progress.state.load(Relaxed));
        assert_eq!(stage, Stage::Head);
        assert!((3000..3100).contains(&due_ms), "{due_ms}");
        progress.enter(Stage::Body);
        let (stage, due_ms) = unpack(progress.state.load(Relaxed));
        assert_eq!(stage, Stage::Body);
        assert!((7000..7100).contains(&due_ms), "{due_ms}");
        progress.enter(Stage::Idle);
        assert_eq!(progress.stage(), Stage::Idle);
        for stage in Stage::ALL {
            assert_eq!(Stage::from_bits(stage.to_bits()), stage);
        }
    }

    #[test]
    fn connections_over_the_cap_get_short_limits() {
        let limits = Limits::default().monitor_only();
        assert!(limits.head_timeout <= MONITOR_ONLY_TIMEOUT);
        assert!(limits.idle_timeout <= MONITOR_ONLY_TIMEOUT);
        assert_eq!(limits.max_connections, DEFAULT_MAX_CONNECTIONS);
    }
}
