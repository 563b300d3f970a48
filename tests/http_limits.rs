//! Black-box tests of how `serve-http` bounds its clients: slow request
//! heads and bodies, idle keep-alive connections, the connection cap and
//! accept errors. The real binary on a loopback port, with short limits
//! set through the environment; every wait is bounded and every timing
//! bound generous, since the machine may be busy.

mod http_support;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use http_support::{fixtures, Server};

/// The longest any single step may take here before the test fails.
const PATIENCE: Duration = Duration::from_secs(15);

/// The value of a metric series in `/metrics` text.
fn metric(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find_map(|l| l.strip_prefix(series)?.strip_prefix(' ')?.parse().ok())
}

async fn connect(addr: SocketAddr) -> TcpStream {
    tokio::time::timeout(PATIENCE, TcpStream::connect(addr))
        .await
        .expect("connects in time")
        .expect("connects")
}

/// Reads until the server closes the connection (or resets it); returns
/// what it sent, or `None` if it was still open after `within`.
async fn read_until_closed(stream: &mut TcpStream, within: Duration) -> Option<Vec<u8>> {
    let deadline = tokio::time::Instant::now() + within;
    let mut all = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        match tokio::time::timeout_at(deadline, stream.read(&mut chunk)).await {
            Err(_) => return None,
            Ok(Ok(0) | Err(_)) => return Some(all),
            Ok(Ok(n)) => all.extend_from_slice(&chunk[..n]),
        }
    }
}

/// Reads one response whose head and body arrive before `within`; the
/// connection stays open.
async fn read_response(stream: &mut TcpStream, within: Duration) -> String {
    let deadline = tokio::time::Instant::now() + within;
    let mut all = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let text = String::from_utf8_lossy(&all).to_string();
        if let Some(head_end) = text.find("\r\n\r\n") {
            let length = text[..head_end]
                .lines()
                .find_map(|l| {
                    let (name, value) = l.split_once(':')?;
                    name.eq_ignore_ascii_case("content-length")
                        .then(|| value.trim().parse::<usize>().ok())?
                })
                .unwrap_or(0);
            if all.len() >= head_end + 4 + length {
                return text;
            }
        }
        let n = tokio::time::timeout_at(deadline, stream.read(&mut chunk))
            .await
            .expect("a response in time")
            .expect("reads");
        assert!(n > 0, "closed mid-response: {text:?}");
        all.extend_from_slice(&chunk[..n]);
    }
}

/// One request on a new connection that asks to be closed after it; the
/// whole response, or `None` if the server closed without one.
async fn one_request(addr: SocketAddr, request: &str) -> Option<String> {
    let mut stream = connect(addr).await;
    stream.write_all(request.as_bytes()).await.ok()?;
    let all = read_until_closed(&mut stream, PATIENCE).await?;
    (!all.is_empty()).then(|| String::from_utf8_lossy(&all).to_string())
}

fn get(path: &str) -> String {
    format!("GET {path} HTTP/1.1\r\nHost: bot\r\nConnection: close\r\n\r\n")
}

/// `/metrics`, on a connection of its own.
async fn metrics(addr: SocketAddr) -> String {
    one_request(addr, &get("/metrics"))
        .await
        .unwrap_or_default()
}

/// How many lines of the server's output contain `text`.
fn lines_with(server: &Server, text: &str) -> usize {
    server.output().iter().filter(|l| l.contains(text)).count()
}

/// Waits (bounded) until the server has printed a line containing `text`.
async fn wait_for_line(server: &Server, text: &str) {
    let deadline = Instant::now() + PATIENCE;
    while lines_with(server, text) == 0 {
        assert!(
            Instant::now() < deadline,
            "no {text:?} line within {PATIENCE:?}; output: {:?}",
            server.output()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A slowloris client: sends a request head one header at a time, every
/// `pause`, and never finishes it. Returns how long the server took to
/// close the connection, or `None` if it had not after `give_up`.
async fn slow_head(addr: SocketAddr, pause: Duration, give_up: Duration) -> Option<Duration> {
    let started = Instant::now();
    let mut stream = connect(addr).await;
    if stream
        .write_all(b"POST /interactions HTTP/1.1\r\nHost: bot\r\n")
        .await
        .is_err()
    {
        return Some(started.elapsed());
    }
    let mut header = 0u32;
    let mut chunk = [0u8; 256];
    while started.elapsed() < give_up {
        header += 1;
        let line = format!("X-Slow-{header}: still coming\r\n");
        if stream.write_all(line.as_bytes()).await.is_err() {
            return Some(started.elapsed());
        }
        match tokio::time::timeout(pause, stream.read(&mut chunk)).await {
            Err(_) => {}
            // Closed (or a 4xx and then closed): either way, cut off.
            Ok(_) => return Some(started.elapsed()),
        }
    }
    None
}

#[tokio::test]
async fn slow_heads_are_cut_off_while_signed_requests_and_healthz_are_answered() {
    let server = Server::start_with(&[
        ("HTTP_HEAD_TIMEOUT_SECONDS", "1"),
        ("HTTP_MAX_CONNECTIONS", "64"),
    ]);
    let addr = server.addr;
    let slow: Vec<_> = (0..20)
        .map(|_| {
            tokio::spawn(slow_head(
                addr,
                Duration::from_millis(100),
                Duration::from_secs(20),
            ))
        })
        .collect();
    // Let them all get going.
    tokio::time::sleep(Duration::from_millis(300)).await;

    let started = Instant::now();
    let (status, _) = server.interact(&fixtures::ping()).await;
    assert_eq!(status, 200);
    let health = server.get("/healthz").await;
    assert_eq!(health.status(), 200);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "answered in {:?} with slow clients about",
        started.elapsed()
    );

    for task in slow {
        let closed_after = task.await.expect("the slow client did not panic");
        let closed_after = closed_after.expect("a slow head was still open after 20 s");
        // The timeout is 1 s; anything well under the 20 s the client would
        // go on for shows it is enforced.
        assert!(closed_after < Duration::from_secs(10), "{closed_after:?}");
        assert!(
            closed_after >= Duration::from_millis(500),
            "{closed_after:?}"
        );
    }
    let text = metrics(addr).await;
    let cut = metric(&text, r#"cspo_pspo_bot_http_timeouts_total{stage="head"}"#);
    assert!(cut.is_some_and(|n| n >= 20.0), "{cut:?}\n{text}");
}

#[tokio::test]
async fn a_slow_body_gets_408_and_is_counted() {
    let server = Server::start_with(&[("HTTP_BODY_TIMEOUT_SECONDS", "1")]);
    let mut stream = connect(server.addr).await;
    stream
        .write_all(b"POST /interactions HTTP/1.1\r\nHost: bot\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"type\":")
        .await
        .expect("writes");
    let started = Instant::now();
    let answer = read_until_closed(&mut stream, PATIENCE)
        .await
        .expect("the server closes a connection whose body never comes");
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(started.elapsed() < Duration::from_secs(10));
    let text = metrics(server.addr).await;
    assert_eq!(
        metric(
            &text,
            r#"cspo_pspo_bot_rejected_requests_total{reason="too_slow"}"#
        ),
        Some(1.0),
        "{text}"
    );
}

#[tokio::test]
async fn idle_keep_alive_connections_are_closed_after_the_idle_timeout() {
    let server = Server::start_with(&[
        ("HTTP_IDLE_TIMEOUT_SECONDS", "1"),
        ("HTTP_HEAD_TIMEOUT_SECONDS", "30"),
    ]);
    let mut stream = connect(server.addr).await;
    let request = "GET /healthz HTTP/1.1\r\nHost: bot\r\n\r\n";
    // Two requests on one connection: it is kept alive.
    for _ in 0..2 {
        stream.write_all(request.as_bytes()).await.expect("writes");
        let answer = read_response(&mut stream, PATIENCE).await;
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    }
    let idle_since = Instant::now();
    let rest = read_until_closed(&mut stream, PATIENCE)
        .await
        .expect("an idle connection is closed");
    let idled = idle_since.elapsed();
    assert!(rest.is_empty(), "{:?}", String::from_utf8_lossy(&rest));
    assert!(idled >= Duration::from_millis(500), "{idled:?}");
    assert!(idled < Duration::from_secs(10), "{idled:?}");
    let text = metrics(server.addr).await;
    assert_eq!(
        metric(&text, r#"cspo_pspo_bot_http_timeouts_total{stage="idle"}"#),
        Some(1.0),
        "{text}"
    );
}

#[tokio::test]
async fn over_the_cap_only_the_monitor_routes_answer_and_one_warning_is_logged() {
    let server = Server::start_with(&[
        ("HTTP_MAX_CONNECTIONS", "4"),
        ("HTTP_HEAD_TIMEOUT_SECONDS", "30"),
    ]);
    let addr = server.addr;
    // Four connections that say nothing take every place.
    let mut holders = Vec::new();
    for _ in 0..4 {
        holders.push(connect(addr).await);
    }
    // The server counts them once it has accepted them.
    let deadline = Instant::now() + PATIENCE;
    loop {
        let text = metrics(addr).await;
        if metric(&text, "cspo_pspo_bot_http_connections_open") == Some(4.0) {
            assert_eq!(
                metric(&text, "cspo_pspo_bot_http_connection_limit"),
                Some(4.0)
            );
            break;
        }
        assert!(Instant::now() < deadline, "{text}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    let health = one_request(addr, &get("/healthz"))
        .await
        .unwrap_or_default();
    assert!(health.starts_with("HTTP/1.1 200"), "{health}");
    assert!(health.contains("\"status\":\"ok\""), "{health}");
    let busy = one_request(
        addr,
        "POST /interactions HTTP/1.1\r\nHost: bot\r\nContent-Length: 0\r\n\r\n",
    )
    .await
    .unwrap_or_default();
    assert!(busy.starts_with("HTTP/1.1 503"), "{busy}");
    assert!(
        busy.to_ascii_lowercase().contains("retry-after: 1"),
        "{busy}"
    );

    // A burst over the cap: more than the monitor-only places, so some
    // are closed at once. Still one warning, not one per connection.
    let mut burst = Vec::new();
    for _ in 0..40 {
        burst.push(connect(addr).await);
    }
    wait_for_line(&server, "connection limit reached").await;
    // Long enough for the server to take them all in, well short of the
    // 2 s after which a monitor-only connection that says nothing is
    // closed too.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut closed = 0;
    for stream in &mut burst {
        if read_until_closed(stream, Duration::from_millis(20))
            .await
            .is_some()
        {
            closed += 1;
        }
    }
    assert!(closed >= 1, "every connection of the burst was kept");
    drop(burst);
    let warnings = lines_with(&server, "connection limit reached");
    assert!(
        (1..=3).contains(&warnings),
        "{warnings} warnings for 42 refusals"
    );

    // Once the places are free again, Discord's requests are answered.
    drop(holders);
    let deadline = Instant::now() + PATIENCE;
    loop {
        // While the server has not yet seen every dropped connection
        // close, a new one is still over the cap: answered 503, or closed
        // at once when even the monitor-only places are taken.
        match server.try_interact(&fixtures::ping()).await {
            Some((200, _)) => break,
            Some((status, _)) => assert_eq!(status, 503),
            None => {}
        }
        assert!(
            Instant::now() < deadline,
            "still refused after {PATIENCE:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let text = metrics(addr).await;
    let monitor_only = metric(
        &text,
        r#"cspo_pspo_bot_http_connections_over_limit_total{outcome="monitor_only"}"#,
    );
    let dropped = metric(
        &text,
        r#"cspo_pspo_bot_http_connections_over_limit_total{outcome="closed"}"#,
    );
    assert!(monitor_only.is_some_and(|n| n >= 2.0), "{text}");
    assert!(dropped.is_some_and(|n| n >= 1.0), "{text}");
}

/// Out of file descriptors, the server logs it, keeps going, and serves
/// again once connections close: the open-file limit of the running
/// server is lowered to a few more than it has open.
#[cfg(target_os = "linux")]
#[tokio::test]
async fn running_out_of_file_descriptors_is_logged_and_survived() {
    let server = Server::start_with(&[
        ("HTTP_HEAD_TIMEOUT_SECONDS", "30"),
        ("HTTP_MAX_CONNECTIONS", "1000"),
    ]);
    let pid = server.pid();
    let open_now = std::fs::read_dir(format!("/proc/{pid}/fd"))
        .map(|dir| dir.count())
        .expect("the server's open files are listed");
    let room = 4;
    let limit = libc::rlimit {
        rlim_cur: libc::rlim_t::try_from(open_now + room).expect("a small number"),
        rlim_max: libc::rlim_t::try_from(open_now + room + 64).expect("a small number"),
    };
    let pid = libc::pid_t::try_from(pid).expect("a pid");
    // SAFETY: prlimit only reads `limit`, and the old limit is not asked for.
    let rc = unsafe { libc::prlimit(pid, libc::RLIMIT_NOFILE, &limit, std::ptr::null_mut()) };
    assert_eq!(rc, 0, "prlimit: {}", std::io::Error::last_os_error());

    let mut held = Vec::new();
    for _ in 0..room + 16 {
        held.push(connect(server.addr).await);
    }
    wait_for_line(&server, "cannot accept a connection").await;
    // Give the loop time to retry a few times: it backs off, and logs once.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let warnings = lines_with(&server, "cannot accept a connection");
    assert!((1..=2).contains(&warnings), "{warnings} warnings");

    drop(held);
    let deadline = Instant::now() + PATIENCE;
    let text = loop {
        let text = metrics(server.addr).await;
        if text.contains("cspo_pspo_bot_http_accept_errors_total") {
            break text;
        }
        assert!(
            Instant::now() < deadline,
            "not serving again after {PATIENCE:?}; output: {:?}",
            server.output()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let errors = metric(&text, "cspo_pspo_bot_http_accept_errors_total");
    assert!(errors.is_some_and(|n| n >= 1.0), "{text}");
    let (status, _) = server.interact(&fixtures::ping()).await;
    assert_eq!(status, 200);
}
