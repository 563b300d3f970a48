//! The HTTP server used as a library: `router` and `serve` in this test's
//! own runtime, as an embedding program (or a test of another transport)
//! would run it.

mod http_support;

use std::sync::Arc;
use std::time::Duration;

use cspo_pspo_bot::http::server::{self, AppState};
use http_support::{faq, fixtures, now, Keys};

#[tokio::test]
async fn serve_answers_and_stops_when_told() {
    let keys = Keys::generate();
    let state = AppState::new(
        cspo_pspo_bot::ops::reload::shared(faq()),
        cspo_pspo_bot::ops::Operations::default(),
        keys.verifying_key(),
        cspo_pspo_bot::discord::webhooks::InteractionWebhooks::new(
            "http://127.0.0.1:9",
            Duration::from_secs(1),
        )
        .expect("a client"),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("binds");
    let addr = listener.local_addr().expect("an address");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let serving = tokio::spawn(server::serve(
        listener,
        Arc::clone(&state),
        cspo_pspo_bot::http::connections::Limits::default(),
        async {
            let _ = stopped.await;
        },
    ));

    let client = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("a client");
    let body = serde_json::to_vec(&fixtures::ping()).expect("JSON");
    let ts = now().to_string();
    let response = client
        .post(format!("http://{addr}/interactions"))
        .header("x-signature-ed25519", keys.sign(&ts, &body))
        .header("x-signature-timestamp", ts)
        .body(body)
        .send()
        .await
        .expect("an answer");
    assert_eq!(response.status(), 200);
    let served = faq();
    assert!(state
        .metrics
        .render(&cspo_pspo_bot::http::metrics::Served::of(&served))
        .contains(r#"interactions_total{type="ping",command="none"} 1"#));

    let _ = stop.send(());
    let result = tokio::time::timeout(Duration::from_secs(15), serving)
        .await
        .expect("stops within the timeout")
        .expect("the task did not panic");
    assert!(result.is_ok(), "{result:?}");
}
