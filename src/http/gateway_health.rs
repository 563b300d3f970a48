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
/// A shard not seen yet is down, with no latency.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct ShardHealth {
    pub connected: bool,
    /// From the last heartbeat and its acknowledgement.
    pub latency: Option<Duration>,
}

/// One shard, and what is known of its connections.
#[derive(Debug, Clone, Copy, Default)]
struct Shard {
    health: ShardHealth,
    /// It has had a session (a READY) before.
    had_session: bool,
    /// Its current loss has been counted already, by sampling.
    loss_counted: bool,
}

/// The shards of this process. Off (and not shown) outside gateway mode.
#[derive(Default)]
pub struct GatewayHealth {
    on: AtomicBool,
    shards: Mutex<BTreeMap<u32, Shard>>,
    disconnects: AtomicU64,
}

impl GatewayHealth {
    /// Marks this process as a gateway bot that will run `expected`
    /// shards: from now on `/healthz` answers 503, listing them as down,
    /// until one is connected.
    pub fn start(&self, expected: impl IntoIterator<Item = u32>) {
        let mut shards = self.lock();
        for id in expected {
            shards.entry(id).or_default();
        }
        self.on.store(true, Ordering::Relaxed);
    }

    pub fn is_on(&self) -> bool {
        self.on.load(Ordering::Relaxed)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<u32, Shard>> {
        self.shards.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Records what shard `id` looks like now, as sampled; a shard that
    /// was connected and no longer is counts as one lost connection.
    pub fn seen(&self, id: u32, now: ShardHealth) {
        let mut shards = self.lock();
        let shard = shards.entry(id).or_default();
        if shard.health.connected && !now.connected && !shard.loss_counted {
            self.disconnects.fetch_add(1, Ordering::Relaxed);
            shard.loss_counted = true;
        }
        shard.health = now;
    }

    /// Shard `id` has a connection again: a session started (READY) or
    /// resumed (RESUMED). After an earlier session, that is the end of a
    /// lost connection, counted here unless sampling already saw it: a
    /// connection dropped and resumed between two samples never shows as
    /// down in them.
    pub fn connection_made(&self, id: u32) {
        let mut shards = self.lock();
        let shard = shards.entry(id).or_default();
        if shard.had_session && !shard.loss_counted {
            self.disconnects.fetch_add(1, Ordering::Relaxed);
        }
        shard.had_session = true;
        shard.loss_counted = false;
    }

    /// Every shard seen or expected, by id.
    pub fn shards(&self) -> BTreeMap<u32, ShardHealth> {
        self.lock().iter().map(|(id, s)| (*id, s.health)).collect()
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

    fn disconnects(g: &GatewayHealth) -> u64 {
        g.disconnects.load(Ordering::Relaxed)
    }

    #[test]
    fn healthy_only_with_a_connected_shard_and_losses_are_counted() {
        let g = GatewayHealth::default();
        g.start([]);
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
    fn expected_shards_are_listed_as_down_before_they_connect() {
        let g = GatewayHealth::default();
        g.start([2, 3]);
        assert_eq!(g.shards().keys().copied().collect::<Vec<_>>(), [2, 3]);
        assert!(g.shards().values().all(|s| !s.connected));
        assert!(!g.healthy());
    }

    #[test]
    fn a_loss_is_counted_once_whether_sampling_saw_it_or_not() {
        let g = GatewayHealth::default();
        g.start([0]);
        g.connection_made(0);
        g.seen(0, UP);
        assert_eq!(disconnects(&g), 0, "the first session is no loss");
        // Dropped and resumed between two samples.
        g.connection_made(0);
        g.seen(0, UP);
        assert_eq!(disconnects(&g), 1);
        // Down long enough to be sampled, then a new session.
        g.seen(0, DOWN);
        g.seen(0, DOWN);
        g.connection_made(0);
        g.seen(0, UP);
        assert_eq!(disconnects(&g), 2, "counted once, by sampling");
    }

    #[test]
    fn nothing_is_shown_outside_gateway_mode() {
        let g = GatewayHealth::default();
        let mut out = String::new();
        g.render_into(&mut out, "x").unwrap_or_default();
        assert!(out.is_empty());
    }
}
