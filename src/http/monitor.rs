//! `GET /healthz` and `GET /metrics`, whichever way the bot runs: beside
//! `/interactions` in `serve-http` (whose router calls [`health`] and
//! [`metrics_text`] with its own state), and on `METRICS_ADDR` for the
//! gateway bot, which otherwise has no HTTP server at all.

use std::future::Future;
use std::io;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use tokio::net::TcpListener;

use super::connections;
use super::metrics::{Metrics, Served};
use crate::ops::reload::SharedFaq;

/// What the two routes report on: the knowledge now served and the counters.
pub struct Monitor {
    pub faq: SharedFaq,
    pub metrics: Arc<Metrics>,
}

pub fn router(monitor: Arc<Monitor>) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .with_state(monitor)
}

/// Connections the gateway bot's monitor serves at once: a scraper and a
/// health check or two, with room to spare.
const MONITOR_CONNECTIONS: u32 = 64;

/// Serves the two routes on `listener` until `shutdown` completes, through
/// the same bounded accept loop as `serve-http` (timeouts for slow and
/// idle clients, a connection cap), so no client can exhaust the process.
pub async fn serve<F>(listener: TcpListener, monitor: Arc<Monitor>, shutdown: F) -> io::Result<()>
where
    F: Future<Output = ()> + Send + 'static,
{
    let metrics = Arc::clone(&monitor.metrics);
    let routes = connections::Routes {
        full: router(Arc::clone(&monitor)),
        monitor_only: router(monitor),
    };
    let limits = connections::Limits {
        max_connections: MONITOR_CONNECTIONS,
        ..connections::Limits::default()
    };
    connections::serve(
        listener,
        routes,
        limits,
        metrics,
        Duration::from_secs(2),
        shutdown,
    )
    .await
}

async fn healthz(State(monitor): State<Arc<Monitor>>) -> Response {
    health(&monitor.faq, &monitor.metrics)
}

async fn metrics(State(monitor): State<Arc<Monitor>>) -> Response {
    metrics_text(&monitor.faq, &monitor.metrics)
}

/// The `/healthz` response: ok, and how many topics are served now. The
/// gateway bot also says how its shards are, and is unhealthy (503) while
/// none of them is connected.
pub fn health(faq: &SharedFaq, metrics: &Metrics) -> Response {
    let topics = faq.load().knowledge.topics.len();
    let gateway = &metrics.gateway;
    if !gateway.is_on() {
        return axum::Json(serde_json::json!({"status": "ok", "topics": topics})).into_response();
    }
    let shards: serde_json::Map<String, serde_json::Value> = gateway
        .shards()
        .iter()
        .map(|(id, s)| {
            let state = if s.connected {
                "connected"
            } else {
                "disconnected"
            };
            (id.to_string(), serde_json::Value::from(state))
        })
        .collect();
    let healthy = gateway.healthy();
    let body = serde_json::json!({
        "status": if healthy { "ok" } else { "no shard connected" },
        "topics": topics,
        "shards": shards,
    });
    let status = if healthy {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, axum::Json(body)).into_response()
}

/// The `/metrics` response, in Prometheus' text format.
pub fn metrics_text(faq: &SharedFaq, metrics: &Metrics) -> Response {
    let faq = faq.load();
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
        )],
        metrics.render(&Served::of(&faq)),
    )
        .into_response()
}
