//! What the gateway bot's `/healthz` and `/metrics` say about its
//! connection to Discord: which shards are connected, their heartbeat
//! latency, and how often a connection was lost. A process whose shards
//! are all down is not healthy, however well it would answer, so its
//! `/healthz` says 503 and which shards are down.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

/// One shard as last seen.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ShardHealth {
    pub connected: bool,
    /// From the last heartbeat and its acknowledgement.
    pub latency: Option<Duration>,
}

/// The shards of this process. Off (and not shown) outside gateway mode.
#[derive(Default)]
pub struct GatewayHealth {
    on: AtomicBool,
    shards: Mutex<BTreeMap<u32, ShardHealth>>,
    disconnects: AtomicU64,
}

impl GatewayHealth {
    /// Marks this process as a gateway bot: from now on `/healthz` answers
    /// 503 until a shard is connected.
    pub fn start(&self) {
        self.on.store(true, Ordering::Relaxed);
    }

    pub fn is_on(&self) -> bool {
        self.on.load(Ordering::Relaxed)
    }

    /// Records what shard `id` looks like now; a shard that was connected
    /// and no longer is counts as one lost connection.
    pub fn seen(&self, id: u32, now: ShardHealth) {
        let mut shards = self.shards.lock().unwrap_or_else(|p| p.into_inner());
        let was = shards.insert(id, now);
        if was.is_some_and(|w| w.connected) && !now.connected {
            self.disconnects.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Every shard seen, by id.
    pub fn shards(&self) -> BTreeMap<u32, ShardHealth> {
        self.shards.lock().map(|s| s.clone()).unwrap_or_default()
    }

    /// Healthy when at least one shard is connected.
    pub fn healthy(&self) -> bool {
        self.shards().values().any(|s| s.connected)
    }

    /// The Prometheus lines, when in gateway mode.
    pub fn render_into(&self, out: &mut String, ns: &str) -> std::fmt::Result {
        if !self.is_on() {
            return Ok(());
        }
        writeln!(out, "# HELP {ns}_gateway_shard_connected Whether each shard of this process is connected to Discord's gateway.")?;
        writeln!(out, "# TYPE {ns}_gateway_shard_connected gauge")?;
        let shards = self.shards();
        for (id, s) in &shards {
            writeln!(
                out,
                "{ns}_gateway_shard_connected{{shard=\"{id}\"}} {}",
                u8::from(s.connected)
            )?;
        }
        writeln!(out, "# HELP {ns}_gateway_latency_seconds Time from a shard's last heartbeat to its acknowledgement.")?;
        writeln!(out, "# TYPE {ns}_gateway_latency_seconds gauge")?;
        for (id, s) in &shards {
            if let Some(latency) = s.latency {
                writeln!(
                    out,
                    "{ns}_gateway_latency_seconds{{shard=\"{id}\"}} {:.3}",
                    latency.as_secs_f64()
                )?;
            }
        }
        writeln!(out, "# HELP {ns}_gateway_disconnects_total Connections to the gateway lost (each is then resumed or made again).")?;
        writeln!(out, "# TYPE {ns}_gateway_disconnects_total counter")?;
        writeln!(
            out,
            "{ns}_gateway_disconnects_total {}",
            self.disconnects.load(Ordering::Relaxed)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const UP: ShardHealth = ShardHealth {
        connected: true,
        latency: Some(Duration::from_millis(42)),
    };
    const DOWN: ShardHealth = ShardHealth {
        connected: false,
        latency: None,
    };

    #[test]
    fn healthy_only_with_a_connected_shard_and_losses_are_counted() {
        let g = GatewayHealth::default();
        g.start();
        assert!(!g.healthy(), "no shard yet");
        g.seen(0, DOWN);
        assert!(!g.healthy());
        g.seen(0, UP);
        g.seen(1, DOWN);
        assert!(g.healthy());
        g.seen(0, DOWN);
        assert!(!g.healthy());
        let mut out = String::new();
        g.render_into(&mut out, "x").unwrap_or_default();
        assert!(
            out.contains("x_gateway_shard_connected{shard=\"1\"} 0"),
            "{out}"
        );
        assert!(out.contains("x_gateway_disconnects_total 1"), "{out}");
    }

    #[test]
    fn nothing_is_shown_outside_gateway_mode() {
        let g = GatewayHealth::default();
        let mut out = String::new();
        g.render_into(&mut out, "x").unwrap_or_default();
        assert!(out.is_empty());
    }
}
