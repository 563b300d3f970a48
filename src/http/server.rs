//! The HTTP server: `/interactions` (plus the [`monitor`] routes), the
//! interactions handler, and graceful shutdown.
//!
//! A request to `/interactions` goes through the same steps in order, and
//! stops at the first that fails: read the body (at most [`MAX_BODY`]
//! bytes, else 413), verify signature and timestamp (else 401), parse the
//! interaction (else 400), then answer it with
//! [`respond`](crate::discord::interactions::respond), the function the
//! gateway bot uses too, and send the response it built, serialized as is.
//! Nothing is parsed before the signature is checked.
//!
//! Every connection is bounded in time and all of them in number by
//! [`connections`]: that module's accept loop is what [`serve`] runs.
//!
//! The server keeps no state between requests beyond counters, the
//! per-user rate limit and the logs, so copies can run behind a load
//! balancer (each then limits the users it sees).

use std::future::Future;
use std::io;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use ed25519_dalek::VerifyingKey;
use serenity::all::Interaction;
use tokio::net::TcpListener;
use tracing::field::Empty;

use super::connections::{self, Limits};
use super::metrics::{Metrics, Rejection};
use super::monitor;
use super::verify::{self, Verifier};
use crate::discord::interactions::{self, After};
use crate::discord::webhooks::InteractionWebhooks;
use crate::ops::reload::SharedFaq;
use crate::ops::replay::{Begin, ServedInteractions};
use crate::ops::{Operations, Transport};

/// The largest body accepted. Real interactions are a few kilobytes; the
/// cap keeps a flood of big bodies from costing memory or hashing time.
pub const MAX_BODY: usize = 64 * 1024;

/// How long shutdown waits for requests in flight before giving up on them.
pub const DRAIN_TIMEOUT: Duration = Duration::from_secs(10);

const SIGNATURE: &str = "x-signature-ed25519";
const TIMESTAMP: &str = "x-signature-timestamp";

/// What every request handler shares: the knowledge (swapped whole when
/// it is reloaded), the logs and rate limit, the key, the counters.
pub struct AppState {
    pub faq: SharedFaq,
    pub ops: Operations,
    pub verifier: Verifier,
    pub metrics: Arc<Metrics>,
    /// The responses given lately, so a replayed request has no effect.
    pub served: ServedInteractions,
    /// For what a response leaves to do (deleting a removed answer).
    pub webhooks: InteractionWebhooks,
}

impl AppState {
    pub fn new(
        faq: SharedFaq,
        ops: Operations,
        public_key: VerifyingKey,
        webhooks: InteractionWebhooks,
    ) -> Arc<AppState> {
        let metrics = Metrics::new(faq.load().knowledge.topics.iter().map(|t| t.id.clone()));
        Arc::new(AppState {
            faq,
            ops,
            verifier: Verifier::new(public_key),
            metrics: Arc::new(metrics),
            // A timestamp may be this far off either way, so a request can
            // come back for twice as long.
            served: ServedInteractions::new(Duration::from_secs(2 * verify::MAX_SKEW_SECS)),
            webhooks,
        })
    }
}

/// The routes: `POST /interactions`, `GET /healthz`, `GET /metrics`.
pub fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/interactions", post(interactions_endpoint))
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .with_state(state)
}

/// What connections over the limit are answered on: the monitor routes,
/// and 503 for the rest, so a health check works in a flood.
pub fn monitor_only_router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .fallback(too_busy)
        .with_state(state)
}

/// Serves on `listener`, every client bounded by `limits` (see
/// [`connections`]), until `shutdown` completes; then stops accepting,
/// lets requests in flight finish (for at most [`DRAIN_TIMEOUT`]) and
/// returns.
pub async fn serve<F>(
    listener: TcpListener,
    state: Arc<AppState>,
    limits: Limits,
    shutdown: F,
) -> io::Result<()>
where
    F: Future<Output = ()> + Send + 'static,
{
    let routes = connections::Routes {
        full: router(Arc::clone(&state)),
        monitor_only: monitor_only_router(Arc::clone(&state)),
    };
    connections::serve(
        listener,
        routes,
        limits,
        Arc::clone(&state.metrics),
        DRAIN_TIMEOUT,
        shutdown,
    )
    .await
}

/// A future that completes on SIGINT (Ctrl-C) or SIGTERM. The handlers
/// are installed now, not when the future is first polled, so a signal
/// that arrives early is not lost (or left to kill the process).
pub fn shutdown_signal() -> io::Result<impl Future<Output = ()> + Send + 'static> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let mut interrupt = signal(SignalKind::interrupt())?;
        let mut terminate = signal(SignalKind::terminate())?;
        Ok(async move {
            tokio::select! {
                _ = interrupt.recv() => {}
                _ = terminate.recv() => {}
            }
        })
    }
    #[cfg(not(unix))]
    {
        Ok(async {
            if tokio::signal::ctrl_c().await.is_err() {
                std::future::pending::<()>().await;
            }
        })
    }
}

async fn too_busy() -> Response {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [(header::RETRY_AFTER, HeaderValue::from_static("1"))],
        "too many connections; try again",
    )
        .into_response()
}

async fn healthz(State(state): State<Arc<AppState>>) -> Response {
    monitor::health(&state.faq, &state.metrics)
}

async fn metrics(State(state): State<Arc<AppState>>) -> Response {
    monitor::metrics_text(&state.faq, &state.metrics)
}

async fn interactions_endpoint(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let started = Instant::now();
    let span = tracing::info_span!(
        "interaction",
        kind = Empty,
        command = Empty,
        topic = Empty,
        confidence = Empty,
        feedback = Empty,
        status = Empty,
        reason = Empty,
        latency_us = Empty,
    );
    let _entered = span.enter();
    let (status, response) = handle(&state, &headers, body, &span);
    let took = started.elapsed();
    state.metrics.latency(took);
    span.record("status", status.as_u16());
    span.record(
        "latency_us",
        u64::try_from(took.as_micros()).unwrap_or(u64::MAX),
    );
    if status.is_success() {
        tracing::info!("answered");
    } else {
        tracing::info!("refused");
    }
    response
}

/// Everything between the request and the response; `span` collects what
/// the request was for the log line.
fn handle(
    state: &AppState,
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
    span: &tracing::Span,
) -> (StatusCode, Response) {
    let body = match body {
        Ok(body) => body,
        Err(rejection) => {
            let (status, why) = if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                (StatusCode::PAYLOAD_TOO_LARGE, Rejection::TooLarge)
            } else if cut_off_for_slowness(&rejection) {
                (StatusCode::REQUEST_TIMEOUT, Rejection::TooSlow)
            } else {
                (rejection.status(), Rejection::Malformed)
            };
            state.metrics.rejection(why);
            span.record("reason", why.as_str());
            tracing::debug!("body not read: {rejection}");
            return refuse(status, "request body refused");
        }
    };

    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let verified = state.verifier.verify(
        headers.get(SIGNATURE).map(HeaderValue::as_bytes),
        headers.get(TIMESTAMP).map(HeaderValue::as_bytes),
        &body,
        now,
    );
    if let Err(why) = verified {
        state.metrics.signature_failure(why);
        // Like Discord's own libraries, the 401 says nothing more; the
        // reason is only logged.
        span.record("reason", why.as_str());
        tracing::debug!("{why}");
        return refuse(StatusCode::UNAUTHORIZED, "invalid request signature");
    }

    let interaction: Interaction = match serde_json::from_slice(&body) {
        Ok(interaction) => interaction,
        Err(e) => {
            state.metrics.rejection(Rejection::Malformed);
            span.record("reason", Rejection::Malformed.as_str());
            tracing::debug!("not an interaction: {e}");
            return refuse(
                StatusCode::BAD_REQUEST,
                "not an interaction this bot can read",
            );
        }
    };

    // The same interaction again (a replay inside the signature's window):
    // the same response, and no second log line, vote or rate-limit token.
    let id = interaction.id().get();
    match state.served.begin(id, Instant::now()) {
        Begin::First => {}
        Begin::Again(json) => {
            span.record("reason", "repeat");
            tracing::debug!("interaction {id} already served; same response again");
            return json_response(json);
        }
        Begin::Seen => {
            span.record("reason", "repeat");
            tracing::debug!("interaction {id} already taken; refused");
            return refuse(
                StatusCode::CONFLICT,
                "this interaction was already answered",
            );
        }
    }

    // One version of the knowledge for the whole request, whatever a
    // reload does meanwhile.
    let faq = state.faq.load();
    let handled = interactions::handle(&faq, &state.ops, Transport::Http, &interaction);
    let seen = &handled.summary;
    state.metrics.record(seen);
    span.record("kind", seen.kind.as_str());
    if let Some(command) = seen.command() {
        span.record("command", command);
    }
    seen.record_answer(span);
    if seen.slowed.is_some() {
        span.record("reason", "rate_limited");
    }
    if let Some(after) = handled.after {
        finish_after(state, &interaction, after);
    }
    let response = handled.response;
    match serde_json::to_vec(&response) {
        Ok(json) => {
            state.served.served(id, &json);
            json_response(json)
        }
        Err(e) => {
            tracing::error!("cannot serialize the response: {e}");
            refuse(StatusCode::INTERNAL_SERVER_ERROR, "internal error")
        }
    }
}

/// How long after its response a removed answer is deleted: the response
/// (which blanks it) goes first, and Discord must have taken it.
const DELETE_AFTER: Duration = Duration::from_millis(500);

/// Starts what the response left to do, once it has been sent.
fn finish_after(state: &AppState, interaction: &Interaction, after: After) {
    let (After::DeleteMessage { message, .. }, Interaction::Component(c)) = (after, interaction)
    else {
        return;
    };
    let webhooks = state.webhooks.clone();
    let application = c.application_id.get();
    let token = c.token.clone();
    tokio::spawn(async move {
        tokio::time::sleep(DELETE_AFTER).await;
        match webhooks.delete_original(application, &token).await {
            Ok(()) => tracing::debug!(message, "removed an answer"),
            Err(e) => {
                tracing::warn!(error = %e, message, "could not delete a removed answer; it stays blanked")
            }
        }
    });
}

fn json_response(json: Vec<u8>) -> (StatusCode, Response) {
    (
        StatusCode::OK,
        (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            )],
            json,
        )
            .into_response(),
    )
}

/// Whether the body stopped because the client overran the body timeout
/// (the connection's reads then fail with `TimedOut`; see
/// [`connections`]).
fn cut_off_for_slowness(rejection: &BytesRejection) -> bool {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(rejection);
    while let Some(error) = cause {
        if error
            .downcast_ref::<io::Error>()
            .is_some_and(|e| e.kind() == io::ErrorKind::TimedOut)
        {
            return true;
        }
        cause = error.source();
    }
    false
}

fn refuse(status: StatusCode, text: &'static str) -> (StatusCode, Response) {
    (status, (status, text).into_response())
}
