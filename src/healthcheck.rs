//! `cspo-pspo-bot healthcheck [URL]`: one `GET` of a running bot's
//! `/healthz`, for a container health check where there is no shell or
//! curl. Exits 0 when the answer is `200`, and 1 otherwise, printing why
//! (with the body, which says which shards are down). The URL is
//! `http://HOST:PORT/PATH`; without one, `http://$METRICS_ADDR/healthz`.
//!
//! Plain `std` rather than an HTTP client: one request to a loopback
//! address, with no TLS, redirects or keep-alive, is a few lines, and it
//! needs no async runtime.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::process::ExitCode;
use std::time::Duration;

/// Connecting, sending and reading each get this long; a container
/// runtime's own timeout is usually longer.
const TIMEOUT: Duration = Duration::from_secs(3);
/// The most of the answer that is read: a status line, a few headers and
/// a short JSON body.
const MAX_ANSWER: u64 = 16 * 1024;

/// Probes `url` (or `METRICS_ADDR`'s `/healthz`) and says how it went.
pub fn run(url: Option<String>) -> ExitCode {
    let url = match url {
        Some(url) => url,
        None => match std::env::var("METRICS_ADDR") {
            Ok(addr) if !addr.trim().is_empty() => format!("http://{}/healthz", addr.trim()),
            _ => {
                eprintln!("unhealthy: no URL given and METRICS_ADDR is not set");
                return ExitCode::FAILURE;
            }
        },
    };
    match probe(&url) {
        Ok(body) => {
            println!("healthy: {body}");
            ExitCode::SUCCESS
        }
        Err(why) => {
            eprintln!("unhealthy: {why}");
            ExitCode::FAILURE
        }
    }
}

/// `http://host:port/path` as (host:port, path).
fn parse_url(url: &str) -> Result<(&str, &str), String> {
    let rest = url
        .strip_prefix("http://")
        .ok_or_else(|| format!("{url:?} is not an http:// URL"))?;
    let (authority, path) = match rest.find('/') {
        Some(at) => (&rest[..at], &rest[at..]),
        None => (rest, "/"),
    };
    if authority.is_empty() || !authority.contains(':') || path.contains([' ', '\r', '\n']) {
        return Err(format!("{url:?} is not http://HOST:PORT/PATH"));
    }
    Ok((authority, path))
}

/// A wildcard listening address (`0.0.0.0`, `[::]`) is reached on loopback.
fn reachable(addr: SocketAddr) -> SocketAddr {
    match addr {
        SocketAddr::V4(a) if a.ip().is_unspecified() => {
            SocketAddr::from(([127, 0, 0, 1], a.port()))
        }
        SocketAddr::V6(a) if a.ip().is_unspecified() => {
            SocketAddr::from((std::net::Ipv6Addr::LOCALHOST, a.port()))
        }
        other => other,
    }
}

/// The status code and body of an HTTP/1.x answer.
fn parse_answer(answer: &[u8]) -> Result<(u16, String), String> {
    let text = String::from_utf8_lossy(answer);
    let status_line = text.lines().next().unwrap_or_default();
    let status = status_line
        .strip_prefix("HTTP/1.")
        .and_then(|rest| rest.get(2..5))
        .and_then(|code| code.parse::<u16>().ok())
        .ok_or_else(|| format!("not an HTTP answer: {status_line:?}"))?;
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, body)| body.trim().to_string())
        .unwrap_or_default();
    Ok((status, body))
}

fn probe(url: &str) -> Result<String, String> {
    let (authority, path) = parse_url(url)?;
    let addr = authority
        .to_socket_addrs()
        .map_err(|e| format!("{authority}: {e}"))?
        .next()
        .map(reachable)
        .ok_or_else(|| format!("{authority}: no address"))?;
    let mut stream =
        TcpStream::connect_timeout(&addr, TIMEOUT).map_err(|e| format!("{addr}: {e}"))?;
    stream
        .set_read_timeout(Some(TIMEOUT))
        .and_then(|()| stream.set_write_timeout(Some(TIMEOUT)))
        .map_err(|e| format!("{addr}: {e}"))?;
    // One write, so the request leaves in one piece.
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\nUser-Agent: cspo-pspo-bot-healthcheck\r\n\r\n"
    );
    stream
        .write_all(request.as_bytes())
        .map_err(|e| format!("{addr}: sending: {e}"))?;
    let mut answer = Vec::new();
    stream
        .take(MAX_ANSWER)
        .read_to_end(&mut answer)
        .map_err(|e| format!("{addr}: reading: {e}"))?;
    match parse_answer(&answer)? {
        (200, body) => Ok(body),
        (status, body) => Err(format!("{url} answered {status} {body}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;

    #[test]
    fn urls_are_split_and_nonsense_refused() {
        assert_eq!(
            parse_url("http://127.0.0.1:9100/healthz"),
            Ok(("127.0.0.1:9100", "/healthz"))
        );
        assert_eq!(parse_url("http://[::1]:80"), Ok(("[::1]:80", "/")));
        for bad in [
            "https://x:1/",
            "127.0.0.1:9100",
            "http:///healthz",
            "http://host/x",
        ] {
            assert!(parse_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn answers_are_read_for_status_and_body() {
        let ok = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\r\n{\"status\":\"ok\"}";
        assert_eq!(
            parse_answer(ok),
            Ok((200, "{\"status\":\"ok\"}".to_string()))
        );
        let down = b"HTTP/1.1 503 Service Unavailable\r\n\r\n{\"status\":\"no shard connected\"}";
        assert_eq!(parse_answer(down).map(|a| a.0), Ok(503));
        assert!(parse_answer(b"SSH-2.0-OpenSSH\r\n").is_err());
        assert!(parse_answer(b"").is_err());
    }

    /// A one-shot server on loopback answering `answer`.
    fn serve_once(answer: &'static [u8]) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("address");
        std::thread::spawn(move || {
            if let Ok((mut s, _)) = listener.accept() {
                // The whole request head, then the answer.
                let mut request = Vec::new();
                let mut byte = [0u8; 1];
                while !request.ends_with(b"\r\n\r\n") && s.read(&mut byte).is_ok_and(|n| n == 1) {
                    request.push(byte[0]);
                }
                let _ = s.write_all(answer);
            }
        });
        format!("http://{addr}/healthz")
    }

    #[test]
    fn healthy_only_on_200() {
        let url = serve_once(b"HTTP/1.1 200 OK\r\nconnection: close\r\n\r\n{\"status\":\"ok\"}");
        assert_eq!(probe(&url), Ok("{\"status\":\"ok\"}".to_string()));
        let url = serve_once(
            b"HTTP/1.1 503 Service Unavailable\r\nconnection: close\r\n\r\n{\"status\":\"no shard connected\"}",
        );
        let why = probe(&url).err().unwrap_or_default();
        assert!(
            why.contains("503") && why.contains("no shard connected"),
            "{why}"
        );
    }

    #[test]
    fn nothing_listening_is_unhealthy() {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free port");
        assert!(probe(&format!("http://127.0.0.1:{port}/healthz")).is_err());
    }

    #[test]
    fn a_wildcard_address_is_probed_on_loopback() {
        let any: SocketAddr = "0.0.0.0:9100".parse().expect("an address");
        assert_eq!(reachable(any).to_string(), "127.0.0.1:9100");
    }
}
