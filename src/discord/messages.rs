//! Plain questions in messages: which messages are for the bot, what they
//! ask, and how a busy channel is kept calm.
//!
//! Everything here is pure bookkeeping with the clock passed in, so the
//! rules are tested without Discord; [`super::gateway`] does the I/O.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use crate::reply::{Button, ButtonStyle, Reply, COLOR_NOTICE};

/// The same topic is not answered twice in one channel within this long;
/// the bot points to its earlier answer instead.
pub const REPEAT_WINDOW: Duration = Duration::from_secs(60);

/// Buttons that remove one of the bot's answers: `delete:<asker's id>`.
pub const DELETE_PREFIX: &str = "delete:";

/// The parts of a message that decide whether the bot reads it.
#[derive(Debug, Clone, Copy)]
pub struct Incoming<'a> {
    pub id: u64,
    pub author: u64,
    pub author_is_bot: bool,
    pub from_webhook: bool,
    /// An ordinary message or a reply, not a join, pin or other system
    /// notice.
    pub ordinary: bool,
    pub in_dm: bool,
    pub channel: u64,
    /// When the message is in a thread: the thread's channel and title.
    pub thread: Option<Thread<'a>>,
    pub content: &'a str,
    /// Discord listed the bot among the message's mentions (a mention, or
    /// a reply to the bot with the ping left on).
    pub mentions_bot: bool,
}

/// A thread, as far as answering in it goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Thread<'a> {
    /// The channel (or forum) it was opened in.
    pub parent: u64,
    /// A forum post's title.
    pub title: &'a str,
}

/// Where the bot reads messages nobody addressed to it.
#[derive(Debug, Clone, Default)]
pub struct Listening {
    /// Every message here, and in threads opened here, is read; the bot
    /// answers what it is sure of.
    pub answer_channels: Vec<u64>,
    /// Each new post in these forums is read once (its title and first
    /// message); the rest of its thread only when the bot is mentioned.
    pub forums: Vec<u64>,
}

impl Listening {
    /// Whether a message in `channel` can be overheard only once the
    /// thread it may be in is known.
    pub fn needs_thread(&self, channel: u64) -> bool {
        let listens = !self.answer_channels.is_empty() || !self.forums.is_empty();
        listens && !self.answer_channels.contains(&channel)
    }
}

/// Whether and how the bot takes a message up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Addressing {
    /// Not for the bot.
    Ignore(Ignored),
    /// Mentioned or in a DM: always answered, with the fallback when the
    /// bot does not know. The question may be empty ("@bot" alone).
    Direct(String),
    /// Read unasked, in an answer channel or a thread opened there, or as
    /// a new forum post: answered only when the bot is sure, so ordinary
    /// chatter is left alone.
    Overheard(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ignored {
    /// Bots (the bot itself included) never start a conversation, so two
    /// bots can never answer each other forever.
    Bot,
    Webhook,
    System,
    /// Neither mentioned, nor in a DM, nor in an answer channel.
    NotAddressed,
}

impl Ignored {
    pub fn as_str(self) -> &'static str {
        match self {
            Ignored::Bot => "from a bot",
            Ignored::Webhook => "from a webhook",
            Ignored::System => "a system message",
            Ignored::NotAddressed => "not addressed",
        }
    }
}

/// Decides whether a message is for the bot and what it asks.
pub fn address(msg: &Incoming<'_>, bot: u64, listening: &Listening) -> Addressing {
    if msg.author == bot || msg.author_is_bot {
        return Addressing::Ignore(Ignored::Bot);
    }
    if msg.from_webhook {
        return Addressing::Ignore(Ignored::Webhook);
    }
    if !msg.ordinary {
        return Addressing::Ignore(Ignored::System);
    }
    let question = strip_mention(msg.content, bot);
    if msg.in_dm || msg.mentions_bot || mentions(msg.content, bot) {
        return Addressing::Direct(question);
    }
    match msg.thread {
        // A forum post opens its thread with a message of the thread's
        // own id: that one is read, with the title; later messages are not.
        Some(t) if listening.forums.contains(&t.parent) => {
            let post = [t.title.trim(), question.as_str()]
                .iter()
                .filter(|s| !s.is_empty())
                .copied()
                .collect::<Vec<_>>()
                .join("\n");
            if msg.id == msg.channel && !post.is_empty() {
                Addressing::Overheard(post)
            } else {
                Addressing::Ignore(Ignored::NotAddressed)
            }
        }
        _ if question.is_empty() => Addressing::Ignore(Ignored::NotAddressed),
        Some(t) if listening.answer_channels.contains(&t.parent) => Addressing::Overheard(question),
        _ if listening.answer_channels.contains(&msg.channel) => Addressing::Overheard(question),
        _ => Addressing::Ignore(Ignored::NotAddressed),
    }
}

fn mentions(content: &str, bot: u64) -> bool {
    content.contains(&format!("<@{bot}>")) || content.contains(&format!("<@!{bot}>"))
}

/// The question without the bot's mention (`<@id>` or the older
/// `<@!id>`) and the punctuation people put after it ("@bot, does ...").
pub fn strip_mention(content: &str, bot: u64) -> String {
    let text = content
        .replace(&format!("<@!{bot}>"), " ")
        .replace(&format!("<@{bot}>"), " ");
    let collapsed = text.split_whitespace().collect::<Vec<_>>().join(" ");
    collapsed
        .trim_start_matches(|c: char| matches!(c, ',' | ':' | ';' | '-' | '—') || c.is_whitespace())
        .trim()
        .to_string()
}

/// A per-user pause between answers, so one person cannot make the bot
/// flood a channel.
#[derive(Debug)]
pub struct Cooldowns {
    period: Duration,
    last: HashMap<u64, Instant>,
    calls: u32,
}

/// How often old entries are swept out, in calls.
const SWEEP_EVERY: u32 = 256;

impl Cooldowns {
    pub fn new(period: Duration) -> Cooldowns {
        Cooldowns {
            period,
            last: HashMap::new(),
            calls: 0,
        }
    }

    /// Takes the user's turn if they have one: `Ok` starts their cooldown,
    /// `Err` says how long they still wait.
    pub fn take(&mut self, user: u64, now: Instant) -> Result<(), Duration> {
        if self.period.is_zero() {
            return Ok(());
        }
        self.sweep(now);
        if let Some(at) = self.last.get(&user) {
            let since = now.saturating_duration_since(*at);
            if since < self.period {
                return Err(self.period - since);
            }
        }
        self.last.insert(user, now);
        Ok(())
    }

    /// Keeps memory bounded: forgets users whose cooldown is over.
    fn sweep(&mut self, now: Instant) {
        self.calls = self.calls.wrapping_add(1);
        if self.calls.is_multiple_of(SWEEP_EVERY) {
            let period = self.period;
            self.last
                .retain(|_, at| now.saturating_duration_since(*at) < period);
        }
    }

    pub fn len(&self) -> usize {
        self.last.len()
    }

    pub fn is_empty(&self) -> bool {
        self.last.is_empty()
    }
}

/// The topics answered lately in each channel, and where.
#[derive(Debug)]
pub struct RecentAnswers {
    window: Duration,
    answers: HashMap<(u64, String), Recent>,
    calls: u32,
}

#[derive(Debug, Clone, Copy)]
struct Recent {
    at: Instant,
    /// The bot's answer, once it is sent.
    message: Option<u64>,
}

/// What [`RecentAnswers::claim`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claim {
    /// Not answered lately: answer it (and report the message with
    /// [`RecentAnswers::sent`]).
    Fresh,
    /// Answered within the window: point to that answer instead. `None`
    /// while the earlier answer is still being sent.
    Repeat { message: Option<u64> },
}

impl RecentAnswers {
    pub fn new(window: Duration) -> RecentAnswers {
        RecentAnswers {
            window,
            answers: HashMap::new(),
            calls: 0,
        }
    }

    /// Claims `topic` in `channel`: fresh if it was not answered within
    /// the window, in which case the claim itself starts a new window, so
    /// two people asking at once get one answer and one pointer.
    pub fn claim(&mut self, channel: u64, topic: &str, now: Instant) -> Claim {
        self.sweep(now);
        let key = (channel, topic.to_string());
        match self.answers.get(&key) {
            Some(r) if now.saturating_duration_since(r.at) < self.window => {
                Claim::Repeat { message: r.message }
            }
            _ => {
                self.answers.insert(
                    key,
                    Recent {
                        at: now,
                        message: None,
                    },
                );
                Claim::Fresh
            }
        }
    }

    /// Records where a fresh claim was answered.
    pub fn sent(&mut self, channel: u64, topic: &str, message: u64) {
        if let Some(r) = self.answers.get_mut(&(channel, topic.to_string())) {
            r.message = Some(message);
        }
    }

    /// Drops a claim whose answer could not be sent, so the next asker is
    /// answered rather than pointed at nothing.
    pub fn forget(&mut self, channel: u64, topic: &str) {
        self.answers.remove(&(channel, topic.to_string()));
    }

    fn sweep(&mut self, now: Instant) {
        self.calls = self.calls.wrapping_add(1);
        if self.calls.is_multiple_of(SWEEP_EVERY) {
            let window = self.window;
            self.answers
                .retain(|_, r| now.saturating_duration_since(r.at) < window);
        }
    }
}

/// The `custom_id` of the button that lets `author` remove an answer.
pub fn delete_id(author: u64) -> String {
    format!("{DELETE_PREFIX}{author}")
}

/// Who may remove the message a delete button is on, if `custom_id` is
/// one.
pub fn delete_owner(custom_id: &str) -> Option<u64> {
    custom_id.strip_prefix(DELETE_PREFIX)?.parse().ok()
}

/// Adds the button that lets the asker (or a moderator) remove a public
/// answer: on its own row, last, so it is never taken for a topic button.
pub fn with_delete_button(reply: Reply, author: u64) -> Reply {
    reply
        .last_row(Button::Action {
            label: "Remove".to_string(),
            custom_id: delete_id(author),
            style: ButtonStyle::Secondary,
        })
        .within_limits()
}

/// What a removed answer shows for the moment before it is gone (and for
/// good, should deleting it fail).
pub fn removed() -> Reply {
    let mut reply = Reply::card("Removed", "This answer was removed.");
    reply.color = Some(COLOR_NOTICE);
    reply.within_limits()
}

/// A link to a message, as Discord's clients open it.
pub fn jump_link(guild: Option<u64>, channel: u64, message: u64) -> String {
    match guild {
        Some(g) => format!("https://discord.com/channels/{g}/{channel}/{message}"),
        None => format!("https://discord.com/channels/@me/{channel}/{message}"),
    }
}

/// The short reply that points to an answer given a moment ago.
pub fn pointer(title: &str, earlier: Option<&str>) -> Reply {
    let text = match earlier {
        Some(_) => format!(
            "I answered “{title}” in this channel a moment ago; the button below jumps to it."
        ),
        None => format!("I am answering “{title}” in this channel right now; see just above."),
    };
    let mut reply = Reply::card("Answered just now", &text);
    reply.color = Some(COLOR_NOTICE);
    if let Some(link) = earlier {
        reply = reply.link_button("See the answer", link);
    }
    reply.within_limits()
}

/// The topic one of the bot's own answers was about, from the ids of its
/// buttons: its feedback buttons name the topic, and a "CSPO or PSPO?"
/// question's buttons open topics of the kind it asked about. A reply to
/// that message continues from it, with no memory needed.
pub fn answered_topic<'a>(custom_ids: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let ids: Vec<&str> = custom_ids.into_iter().collect();
    ids.iter()
        .find_map(|id| crate::ops::feedback::parse(id).map(|(topic, _)| topic.to_string()))
        .or_else(|| {
            ids.iter()
                .find_map(|id| crate::commands::opened_topic(id).map(str::to_string))
        })
}

/// The private note that replaces an answer once it is posted.
pub fn posted(link: &str) -> Reply {
    Reply::card(
        "Posted",
        "The answer is now in the channel, as a reply to the message.",
    )
    .link_button("See it", link)
    .ephemeral()
    .within_limits()
}

/// The reply for a mention with no question.
pub fn nudge() -> Reply {
    Reply::card(
        "Ask me about CSPO or PSPO",
        "Mention me with a question, for example “@me does PSPO expire?”, or use `/ask`. \
         `/topics` lists everything I can answer, and `/help` explains the rest.",
    )
    .within_limits()
}

#[cfg(test)]
mod tests {
    use super::*;

    const BOT: u64 = 42;

    fn msg(content: &str) -> Incoming<'_> {
        Incoming {
            id: 555,
            author: 7,
            author_is_bot: false,
            from_webhook: false,
            ordinary: true,
            in_dm: false,
            channel: 100,
            thread: None,
            content,
            mentions_bot: false,
        }
    }

    fn answering(channels: &[u64]) -> Listening {
        Listening {
            answer_channels: channels.to_vec(),
            forums: vec![900],
        }
    }

    #[test]
    fn mentions_and_dms_are_direct_questions() {
        let m = Incoming {
            mentions_bot: true,
            ..msg("<@42> does pspo expire?")
        };
        assert_eq!(
            address(&m, BOT, &answering(&[])),
            Addressing::Direct("does pspo expire?".into())
        );
        let dm = Incoming {
            in_dm: true,
            ..msg("does pspo expire?")
        };
        assert_eq!(
            address(&dm, BOT, &answering(&[])),
            Addressing::Direct("does pspo expire?".into())
        );
        // The mention in the text counts even if Discord's list lacks it.
        assert_eq!(
            address(&msg("hey <@!42>, cspo?"), BOT, &answering(&[])),
            Addressing::Direct("hey , cspo?".into())
        );
    }

    #[test]
    fn answer_channels_are_overheard_and_others_ignored() {
        let m = msg("does pspo expire?");
        assert_eq!(
            address(&m, BOT, &answering(&[100])),
            Addressing::Overheard("does pspo expire?".into())
        );
        assert_eq!(
            address(&m, BOT, &answering(&[200])),
            Addressing::Ignore(Ignored::NotAddressed)
        );
        assert_eq!(
            address(&msg("   "), BOT, &answering(&[100])),
            Addressing::Ignore(Ignored::NotAddressed)
        );
    }

    #[test]
    fn threads_under_answer_channels_are_overheard_like_the_channel() {
        let in_thread = Incoming {
            channel: 300,
            thread: Some(Thread {
                parent: 100,
                title: "a thread",
            }),
            ..msg("does pspo expire?")
        };
        assert_eq!(
            address(&in_thread, BOT, &answering(&[100])),
            Addressing::Overheard("does pspo expire?".into())
        );
        assert_eq!(
            address(&in_thread, BOT, &answering(&[200])),
            Addressing::Ignore(Ignored::NotAddressed)
        );
    }

    #[test]
    fn a_forum_post_is_read_once_with_its_title_and_later_messages_only_when_mentioned() {
        let post = Incoming {
            id: 300,
            channel: 300,
            thread: Some(Thread {
                parent: 900,
                title: "PSPO question",
            }),
            ..msg("does it expire?")
        };
        assert_eq!(
            address(&post, BOT, &answering(&[])),
            Addressing::Overheard("PSPO question\ndoes it expire?".into())
        );
        // With FORUM_TITLES_ONLY the bot does not ask for the Message
        // Content intent and the text is empty: the title alone is read.
        let title_only = Incoming {
            content: "",
            ..post
        };
        assert_eq!(
            address(&title_only, BOT, &answering(&[])),
            Addressing::Overheard("PSPO question".into())
        );
        let later = Incoming { id: 301, ..post };
        assert_eq!(
            address(&later, BOT, &answering(&[900])),
            Addressing::Ignore(Ignored::NotAddressed),
            "a forum's rule wins over its being an answer channel"
        );
        let asked = Incoming {
            mentions_bot: true,
            content: "<@42> and for cspo?",
            ..later
        };
        assert_eq!(
            address(&asked, BOT, &answering(&[])),
            Addressing::Direct("and for cspo?".into())
        );
    }

    #[test]
    fn bots_webhooks_and_system_messages_are_ignored_even_when_they_mention_the_bot() {
        let base = Incoming {
            mentions_bot: true,
            in_dm: true,
            ..msg("<@42> does pspo expire?")
        };
        let me = Incoming {
            author: BOT,
            ..base
        };
        let bot = Incoming {
            author_is_bot: true,
            ..base
        };
        let hook = Incoming {
            from_webhook: true,
            ..base
        };
        let system = Incoming {
            ordinary: false,
            ..base
        };
        assert_eq!(
            address(&me, BOT, &answering(&[100])),
            Addressing::Ignore(Ignored::Bot)
        );
        assert_eq!(
            address(&bot, BOT, &answering(&[100])),
            Addressing::Ignore(Ignored::Bot)
        );
        assert_eq!(
            address(&hook, BOT, &answering(&[100])),
            Addressing::Ignore(Ignored::Webhook)
        );
        assert_eq!(
            address(&system, BOT, &answering(&[100])),
            Addressing::Ignore(Ignored::System)
        );
    }

    #[test]
    fn mention_stripping_keeps_the_question_and_other_mentions() {
        assert_eq!(
            strip_mention("<@42> does pspo expire?", BOT),
            "does pspo expire?"
        );
        assert_eq!(strip_mention("<@!42>: cspo?", BOT), "cspo?");
        assert_eq!(
            strip_mention("<@42>,   what   is cspo <@42>", BOT),
            "what is cspo"
        );
        assert_eq!(strip_mention("<@42>", BOT), "");
        assert_eq!(strip_mention("ask <@7> or <@42>", BOT), "ask <@7> or");
        assert_eq!(strip_mention("<@420> hi", BOT), "<@420> hi");
    }

    #[test]
    fn a_user_waits_out_their_cooldown_and_others_do_not() {
        let t0 = Instant::now();
        let mut c = Cooldowns::new(Duration::from_secs(5));
        assert_eq!(c.take(1, t0), Ok(()));
        assert_eq!(
            c.take(1, t0 + Duration::from_secs(2)),
            Err(Duration::from_secs(3))
        );
        assert_eq!(c.take(2, t0 + Duration::from_secs(2)), Ok(()));
        assert_eq!(c.take(1, t0 + Duration::from_secs(5)), Ok(()));
        // A refused attempt does not restart the wait.
        assert!(c.take(1, t0 + Duration::from_secs(6)).is_err());
        assert_eq!(c.take(1, t0 + Duration::from_secs(10)), Ok(()));
    }

    #[test]
    fn a_zero_cooldown_never_refuses_and_old_entries_are_swept() {
        let t0 = Instant::now();
        let mut off = Cooldowns::new(Duration::ZERO);
        assert!((0..10).all(|_| off.take(1, t0).is_ok()));
        assert!(off.is_empty());

        let mut c = Cooldowns::new(Duration::from_secs(1));
        for user in 1..u64::from(SWEEP_EVERY) {
            let _ = c.take(user, t0);
        }
        assert_eq!(c.len(), 255);
        // The next call sweeps, a while later.
        let _ = c.take(0, t0 + Duration::from_secs(2));
        assert!(c.len() <= 1, "entries older than the period are swept");
    }

    #[test]
    fn a_topic_is_answered_once_per_channel_per_window() {
        let t0 = Instant::now();
        let mut r = RecentAnswers::new(REPEAT_WINDOW);
        assert_eq!(r.claim(1, "pspo-validity", t0), Claim::Fresh);
        assert_eq!(
            r.claim(1, "pspo-validity", t0 + Duration::from_secs(1)),
            Claim::Repeat { message: None }
        );
        r.sent(1, "pspo-validity", 555);
        assert_eq!(
            r.claim(1, "pspo-validity", t0 + Duration::from_secs(59)),
            Claim::Repeat { message: Some(555) }
        );
        // Other channels and other topics are separate.
        assert_eq!(r.claim(2, "pspo-validity", t0), Claim::Fresh);
        assert_eq!(r.claim(1, "cspo-validity", t0), Claim::Fresh);
        // After the window, it is answered afresh.
        assert_eq!(
            r.claim(1, "pspo-validity", t0 + REPEAT_WINDOW),
            Claim::Fresh
        );
    }

    #[test]
    fn a_failed_answer_is_forgotten() {
        let t0 = Instant::now();
        let mut r = RecentAnswers::new(REPEAT_WINDOW);
        assert_eq!(r.claim(1, "t", t0), Claim::Fresh);
        r.forget(1, "t");
        assert_eq!(r.claim(1, "t", t0), Claim::Fresh);
    }

    #[test]
    fn delete_buttons_name_the_asker() {
        assert_eq!(delete_id(7), "delete:7");
        assert_eq!(delete_owner("delete:7"), Some(7));
        assert_eq!(delete_owner("delete:x"), None);
        assert_eq!(delete_owner("topic:pspo-validity"), None);
        let reply = with_delete_button(Reply::card("t", "d"), 7);
        assert!(reply
            .buttons()
            .any(|b| matches!(b, crate::reply::Button::Action { custom_id, .. } if custom_id == "delete:7")));
    }

    #[test]
    fn jump_links_and_pointers() {
        assert_eq!(
            jump_link(Some(1), 2, 3),
            "https://discord.com/channels/1/2/3"
        );
        assert_eq!(
            jump_link(None, 2, 3),
            "https://discord.com/channels/@me/2/3"
        );
        let p = pointer(
            "Does PSPO expire?",
            Some("https://discord.com/channels/1/2/3"),
        );
        assert!(p.buttons().any(
            |b| matches!(b, crate::reply::Button::Link { url, .. } if url.ends_with("/1/2/3"))
        ));
        assert!(pointer("x", None).buttons().next().is_none());
    }
}
