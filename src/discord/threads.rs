//! Which channels are threads, and of what. A message in a thread carries
//! the thread's id, not its channel's, so answering in threads under an
//! answer channel (and in forum posts) needs the parent. Discord reports
//! threads as they are created or synced (the GUILDS intent); one the bot
//! has not heard of is looked up once over REST, and every answer, thread
//! or not, is remembered in a bounded map.

use std::num::NonZeroUsize;
use std::sync::Mutex;

use lru::LruCache;
use serenity::all::{ChannelType, GuildChannel};

/// Channels remembered; the least recently used is forgotten first.
/// A busy server opens a few hundred threads a day, each entry is well
/// under 200 bytes, so 10 000 covers weeks in about 2 MB at most.
const REMEMBERED: usize = 10_000;

/// A thread, as the bot needs to know it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThreadInfo {
    pub parent: u64,
    pub title: String,
}

impl ThreadInfo {
    /// The thread `channel` is, if it is one.
    pub fn of(channel: &GuildChannel) -> Option<ThreadInfo> {
        let thread = matches!(
            channel.kind,
            ChannelType::PublicThread | ChannelType::PrivateThread | ChannelType::NewsThread
        ) || channel.thread_metadata.is_some();
        let parent = channel.parent_id.filter(|_| thread)?;
        Some(ThreadInfo {
            parent: parent.get(),
            title: channel.name.clone(),
        })
    }
}

/// What is known of channels: a thread (of what), or not a thread.
pub struct Threads {
    known: Mutex<LruCache<u64, Option<ThreadInfo>>>,
}

impl Default for Threads {
    fn default() -> Threads {
        Threads::with_capacity(REMEMBERED)
    }
}

impl Threads {
    pub fn with_capacity(capacity: usize) -> Threads {
        Threads {
            known: Mutex::new(LruCache::new(
                NonZeroUsize::new(capacity).unwrap_or(NonZeroUsize::MIN),
            )),
        }
    }

    /// What is known of `channel`: `None` if nothing yet.
    pub fn get(&self, channel: u64) -> Option<Option<ThreadInfo>> {
        self.lock().get(&channel).cloned()
    }

    /// Notes what `channel` is, from an event or a lookup.
    pub fn learn(&self, channel: &GuildChannel) {
        self.remember(channel.id.get(), ThreadInfo::of(channel));
    }

    pub fn remember(&self, channel: u64, what: Option<ThreadInfo>) {
        self.lock().put(channel, what);
    }

    pub fn forget(&self, channel: u64) {
        self.lock().pop(&channel);
    }

    pub fn len(&self) -> usize {
        self.lock().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, LruCache<u64, Option<ThreadInfo>>> {
        self.known
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn channel(kind: u8, parent: Option<u64>) -> GuildChannel {
        let mut json = serde_json::json!({
            "id": "300",
            "type": kind,
            "guild_id": "1",
            "name": "PSPO question",
            "position": 0,
            "nsfw": false,
            "permission_overwrites": [],
        });
        if let Some(p) = parent {
            json["parent_id"] = serde_json::json!(p.to_string());
        }
        if kind == 11 {
            json["thread_metadata"] = serde_json::json!({
                "archived": false,
                "auto_archive_duration": 1440,
                "archive_timestamp": "2024-05-01T12:00:00.000000+00:00",
                "locked": false,
            });
        }
        serde_json::from_value(json).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn threads_know_their_parent_and_other_channels_are_not_threads() {
        assert_eq!(
            ThreadInfo::of(&channel(11, Some(900))),
            Some(ThreadInfo {
                parent: 900,
                title: "PSPO question".into()
            })
        );
        // A text channel in a category has a parent too, but is no thread.
        assert_eq!(ThreadInfo::of(&channel(0, Some(5))), None);
    }

    #[test]
    fn what_is_known_is_bounded_and_forgets_the_oldest() {
        let threads = Threads::with_capacity(2);
        threads.learn(&channel(11, Some(900)));
        threads.remember(1, None);
        threads.remember(2, None);
        assert_eq!(threads.len(), 2);
        assert_eq!(threads.get(300), None, "the oldest was forgotten");
        assert_eq!(threads.get(1), Some(None));
        threads.forget(1);
        assert_eq!(threads.get(1), None);
    }
}
