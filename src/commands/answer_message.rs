//! "Answer with CSPO/PSPO bot" in a message's Apps menu: answers someone
//! else's message, privately to the person who clicked, with a **Post**
//! button that shares the same answer with the channel. Helpers use it to
//! answer a question without retyping it.

use super::answer::{answers_card, topic_reply};
use super::{Args, Asked, CommandKind, CommandSpec, Outcome, SlashCommand, TARGET_ID, TARGET_TEXT};
use crate::conversation::{self, Said};
use crate::knowledge::Topic;
use crate::reply::{ButtonStyle, Reply, COLOR_NOTICE};
use crate::Faq;

/// The command's name as the Apps menu shows it.
pub const ANSWER_MESSAGE: &str = "Answer with CSPO/PSPO bot";

/// The Post button: `post:<message id>:<topic>[,<topic>…]`.
pub const POST_PREFIX: &str = "post:";

pub struct AnswerMessage;

impl SlashCommand for AnswerMessage {
    fn name(&self) -> &'static str {
        ANSWER_MESSAGE
    }

    fn kind(&self) -> CommandKind {
        CommandKind::OnMessage
    }

    fn spec(&self, _faq: &Faq) -> CommandSpec {
        CommandSpec {
            name: ANSWER_MESSAGE,
            // Discord shows no description for menu commands.
            description: "",
            options: Vec::new(),
        }
    }

    fn run(&self, faq: &Faq, args: &Args) -> Reply {
        self.outcome(faq, args).reply
    }

    fn outcome(&self, faq: &Faq, args: &Args) -> Outcome {
        let text = args.get(TARGET_TEXT).unwrap_or("").trim();
        if text.is_empty() {
            let mut reply = Reply::card(
                "Nothing to answer",
                "That message has no text I can read. Ask me with `/ask` instead.",
            )
            .ephemeral();
            reply.color = Some(COLOR_NOTICE);
            return reply.within_limits().into();
        }
        // Someone else's message starts no conversation with the clicker.
        let turn = conversation::respond(faq, text, None);
        let mut reply = turn.reply.ephemeral();
        let message = args.get(TARGET_ID).and_then(|m| m.parse::<u64>().ok());
        let topics: Vec<&str> = turn
            .found
            .topic
            .iter()
            .chain(&turn.also)
            .map(String::as_str)
            .collect();
        if let (Said::Answer, Some(message), false) = (turn.said, message, topics.is_empty()) {
            reply = reply
                .new_row()
                .action_button(
                    "Post in the channel",
                    &Post::custom_id(message, &topics),
                    ButtonStyle::Primary,
                )
                .within_limits();
        }
        Outcome {
            reply,
            asked: Some(Asked {
                question: text.to_string(),
                found: turn.found,
                said: turn.said,
            }),
        }
    }
}

/// A click on Post: the answers to share, and the message they answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Post {
    pub message: u64,
    pub topics: Vec<String>,
}

impl Post {
    /// The button's id: as many of the topics as a custom id holds.
    pub fn custom_id(message: u64, topics: &[&str]) -> String {
        let mut id = format!("{POST_PREFIX}{message}:");
        for (i, topic) in topics.iter().enumerate() {
            let sep = usize::from(i > 0);
            if id.len() + sep + topic.len() > crate::limits::CUSTOM_ID {
                break;
            }
            if sep == 1 {
                id.push(',');
            }
            id.push_str(topic);
        }
        id
    }

    /// The public answer: the same cards the private one showed; `link`,
    /// when the answer cannot be sent as a reply to the message, says
    /// which message it answers.
    pub fn reply(&self, faq: &Faq, link: Option<&str>) -> Reply {
        let k = &faq.knowledge;
        let topics: Vec<&Topic> = self.topics.iter().filter_map(|t| faq.topic(t)).collect();
        let mut reply = match topics.as_slice() {
            [one] => topic_reply(k, one),
            many => answers_card(k, many, ""),
        };
        if let Some(link) = link {
            let answer = std::mem::take(&mut reply.description);
            reply.description = format!("*In answer to [this message]({link}):*\n\n{answer}");
        }
        reply.within_limits()
    }
}

/// The Post click `id` stands for, if it is one and names topics the
/// bot knows (a button from before a reload may not).
pub fn post(faq: &Faq, id: &str) -> Option<Post> {
    let (message, topics) = id.strip_prefix(POST_PREFIX)?.split_once(':')?;
    let message = message.parse::<u64>().ok().filter(|m| *m > 0)?;
    let topics: Vec<String> = topics
        .split(',')
        .filter(|t| faq.topic(t).is_some())
        .map(str::to_string)
        .collect();
    (!topics.is_empty()).then_some(Post { message, topics })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reply::Button;

    fn faq() -> Faq {
        crate::commands::test_knowledge::shipped()
    }

    fn on_message(text: &str) -> Reply {
        AnswerMessage.run(
            &faq(),
            &Args::default()
                .with(TARGET_TEXT, text)
                .with(TARGET_ID, "1234567890"),
        )
    }

    fn post_id(reply: &Reply) -> Option<String> {
        reply.buttons().find_map(|b| match b {
            Button::Action { custom_id, .. } if custom_id.starts_with(POST_PREFIX) => {
                Some(custom_id.clone())
            }
            _ => None,
        })
    }

    #[test]
    fn an_answerable_message_is_answered_privately_with_a_post_button() {
        let faq = faq();
        let reply = on_message("hey does the pspo cert ever expire?");
        assert!(reply.ephemeral);
        assert_eq!(reply.title.as_deref(), Some("Does PSPO expire?"));
        let id = post_id(&reply).unwrap_or_else(|| panic!("no Post button: {reply:?}"));
        let post = post(&faq, &id).unwrap_or_else(|| panic!("{id} is no Post"));
        assert_eq!(post.message, 1234567890);
        let public = post.reply(&faq, None);
        assert!(!public.ephemeral);
        assert_eq!(public.title, reply.title);
        assert_eq!(public.description, reply.description);
    }

    #[test]
    fn an_unknown_question_gets_the_private_fallback_and_no_post_button() {
        let reply = on_message("what's the weather in Lisbon tomorrow?");
        assert!(reply.ephemeral);
        assert_eq!(post_id(&reply), None);
        let empty = on_message("   ");
        assert!(empty.ephemeral);
        assert_eq!(post_id(&empty), None);
    }

    #[test]
    fn a_post_with_a_link_says_what_it_answers_and_stale_posts_are_refused() {
        let faq = faq();
        let post = Post {
            message: 7,
            topics: vec!["pspo-validity".into()],
        };
        let public = post.reply(&faq, Some("https://discord.com/channels/1/2/7"));
        assert!(public
            .description
            .starts_with("*In answer to [this message](https://discord.com/channels/1/2/7):*"));
        assert_eq!(super::post(&faq, "post:7:no-such-topic"), None);
        assert_eq!(super::post(&faq, "post:x:pspo-validity"), None);
        assert_eq!(super::post(&faq, "topic:pspo-validity"), None);
        let two = super::post(&faq, "post:7:what-is-cspo,what-is-pspo");
        assert_eq!(two.map(|p| p.reply(&faq, None).fields.len()), Some(2));
    }
}
