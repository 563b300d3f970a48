//! Discord's HTTP interactions endpoint: the same bot as a signed webhook
//! server.
//!
//! Instead of holding a gateway websocket, Discord POSTs each interaction
//! to a public URL and takes the reply from the HTTP response. The server
//! checks that the request is Discord's and recent ([`verify`]), answers
//! with the very function the gateway bot uses, and counts what it did
//! ([`metrics`]). [`server`] ties them together on axum, with the
//! [`monitor`] routes, and [`connections`] bounds every client; [`log_writer`] keeps its one log line per request
//! off the request path.

pub mod connections;
pub mod gateway_health;
pub mod log_writer;
pub mod metrics;
pub mod monitor;
pub mod server;
pub mod verify;
