//! `/faq-admin gaps` and `/faq-admin feedback`: the maintainers' report
//! (the same as `cspo-pspo-bot gaps`) for the people who run the bot, in
//! Discord. Shown privately, to members who may manage the server unless
//! its admins grant it to others; it names no person, only what was asked.

use super::{Args, CommandSpec, OptionKind, OptionSpec, SlashCommand, SUBCOMMAND};
use crate::limits;
use crate::ops::gaps::Report;
use crate::ops::report::{Built, WINDOW};
use crate::reply::{Reply, COLOR_NOTICE};
use crate::Faq;

/// Discord's MANAGE_GUILD permission bit.
const MANAGE_SERVER: u64 = 1 << 5;

/// The longest a question or comment is shown here.
const SHOWN: usize = 120;

pub struct FaqAdmin;

impl SlashCommand for FaqAdmin {
    fn name(&self) -> &'static str {
        "faq-admin"
    }

    fn spec(&self, _faq: &Faq) -> CommandSpec {
        let subcommand = |name, description| OptionSpec {
            name,
            kind: OptionKind::Subcommand,
            description,
            required: false,
            max_length: None,
            autocomplete: false,
            choices: Vec::new(),
        };
        CommandSpec {
            name: "faq-admin",
            description:
                "For maintainers: what the bot could not answer, and what people found unhelpful",
            options: vec![
                subcommand("gaps", "The questions it could not answer well this week"),
                subcommand("feedback", "The answers marked not helpful this week"),
            ],
        }
    }

    fn default_permissions(&self) -> Option<u64> {
        Some(MANAGE_SERVER)
    }

    fn server_only(&self) -> bool {
        true
    }

    /// Without the report (the console): where to read it instead.
    fn run(&self, _faq: &Faq, _args: &Args) -> Reply {
        notice(
            "The maintainers' report",
            "Here, run `cspo-pspo-bot gaps`; in Discord, `/faq-admin` shows the same.",
        )
    }

    fn with_report(&self, faq: &Faq, args: &Args, report: Option<&Built>) -> Option<Reply> {
        let Some(built) = report else {
            return Some(notice(
                "No report yet",
                "The report is being built from the logs (or the unanswered log is off). Try again in a minute.",
            ));
        };
        let when = built.at.format("%Y-%m-%d %H:%M UTC");
        let days = WINDOW.as_secs() / 86_400;
        let mut reply = match args.get(SUBCOMMAND) {
            Some("feedback") => feedback(faq, &built.report),
            _ => gaps(&built.report),
        };
        reply.footer = Some(format!(
            "The last {days} days, as of {when}. No person is recorded."
        ));
        Some(reply.ephemeral().within_limits())
    }

    fn console_args(&self, rest: &str) -> Args {
        Args::default().with(SUBCOMMAND, rest.trim())
    }
}

/// Both of the report's cards: its gaps, and its least helpful answers.
pub fn report_cards(faq: &Faq, built: &Built) -> (Reply, Reply) {
    (gaps(&built.report), feedback(faq, &built.report))
}

/// The report's "gaps": what went unanswered, and which missing facts.
pub fn gaps(report: &Report) -> Reply {
    let mut text = String::new();
    if report.gaps.is_empty() {
        text.push_str("Nothing went unanswered.\n");
    }
    for g in &report.gaps {
        text.push_str(&format!(
            "**{}×** {} *({})*\n",
            g.count,
            quoted(&g.question),
            g.reading()
        ));
    }
    if report.no_question > 0 {
        text.push_str(&format!(
            "…and {} with no question in them (greetings, thanks and the like).\n",
            plural(report.no_question, "message", "messages")
        ));
    }
    let mut reply = Reply::card(
        &format!(
            "Unanswered: {}",
            plural(report.unanswered_total, "message", "messages")
        ),
        text.trim_end(),
    );
    if !report.declined.is_empty() {
        let missing = report
            .declined
            .iter()
            .map(|d| format!("{}: {}", d.category, plural(d.count, "time", "times")))
            .collect::<Vec<_>>()
            .join("\n");
        reply = reply.field(
            "What the article lacks, by how often it was asked",
            &missing,
            false,
        );
    }
    reply
}

/// The report's least helpful topics, with what was asked and wanted.
pub fn feedback(faq: &Faq, report: &Report) -> Reply {
    if report.feedback_off {
        return Reply::card(
            "Feedback is off",
            "The feedback log is turned off (`FEEDBACK_LOG=off`).",
        );
    }
    let mut reply = Reply::card(
        "Least helpful answers",
        if report.least_helpful.is_empty() {
            "No answer was marked not helpful."
        } else {
            ""
        },
    );
    for t in &report.least_helpful {
        let title = faq
            .topic(&t.topic)
            .map_or(t.topic.as_str(), |k| k.title.as_str());
        let mut value = format!("{} not helpful, {} helpful", t.not_helpful, t.helpful);
        for q in &t.questions {
            value.push_str(&format!("\nasked: {}", quoted(q)));
        }
        for c in &t.comments {
            value.push_str(&format!("\nwanted: {}", quoted(c)));
        }
        reply = reply.field(title, &value, false);
    }
    reply
}

/// What someone typed, shown as text: one line, clamped, in quotes, with
/// markdown that would change how it reads escaped.
fn quoted(text: &str) -> String {
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out = String::with_capacity(line.len() + 2);
    for c in limits::clamp(&line, SHOWN).chars() {
        if matches!(
            c,
            '*' | '_' | '`' | '~' | '|' | '>' | '#' | '[' | ']' | '\\' | '<' | '@'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    format!("“{out}”")
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn notice(title: &str, text: &str) -> Reply {
    let mut reply = Reply::card(title, text).ephemeral();
    reply.color = Some(COLOR_NOTICE);
    reply.within_limits()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::gaps::{Declined, Gap, TopicVotes};

    fn faq() -> Faq {
        crate::commands::test_knowledge::shipped()
    }

    fn report() -> Report {
        Report {
            unanswered_total: 5,
            gaps: vec![Gap {
                question: "how much is **pspo** @everyone".into(),
                count: 3,
                nearest: Some("pspo-requirements".into()),
                declined_as: Some("price".into()),
                last_seen: "2026-01-01T00:00:00Z".into(),
            }],
            no_question: 2,
            declined: vec![Declined {
                category: "price".into(),
                count: 3,
            }],
            least_helpful: vec![TopicVotes {
                topic: "pspo-validity".into(),
                helpful: 1,
                not_helpful: 2,
                questions: vec!["does pspo expire?".into()],
                comments: vec!["the renewal fee".into()],
            }],
            skipped_lines: 0,
            since: None,
            files: Vec::new(),
            feedback_off: false,
        }
    }

    fn built() -> Built {
        Built {
            report: report(),
            at: chrono::Utc::now(),
        }
    }

    #[test]
    fn gaps_show_the_questions_escaped_and_the_missing_facts() {
        let faq = faq();
        let reply = FaqAdmin
            .with_report(
                &faq,
                &Args::default().with(SUBCOMMAND, "gaps"),
                Some(&built()),
            )
            .unwrap_or_default();
        assert!(reply.ephemeral);
        assert!(
            reply
                .description
                .contains("**3×** “how much is \\*\\*pspo\\*\\* \\@everyone”"),
            "{}",
            reply.description
        );
        assert!(reply.description.contains("2 messages with no question"));
        assert_eq!(reply.fields[0].value, "price: 3 times");
        assert!(reply
            .footer
            .as_deref()
            .is_some_and(|f| f.contains("7 days")));
    }

    #[test]
    fn feedback_shows_each_topic_with_what_was_asked_and_wanted() {
        let faq = faq();
        let reply = FaqAdmin
            .with_report(
                &faq,
                &Args::default().with(SUBCOMMAND, "feedback"),
                Some(&built()),
            )
            .unwrap_or_default();
        assert_eq!(reply.fields[0].name, "Does PSPO expire?");
        assert_eq!(
            reply.fields[0].value,
            "2 not helpful, 1 helpful\nasked: “does pspo expire?”\nwanted: “the renewal fee”"
        );
    }

    #[test]
    fn without_a_report_it_says_so_and_the_console_points_to_gaps() {
        let faq = faq();
        let none = FaqAdmin.with_report(&faq, &Args::default(), None);
        assert_eq!(none.and_then(|r| r.title), Some("No report yet".into()));
        assert!(FaqAdmin
            .run(&faq, &Args::default())
            .description
            .contains("cspo-pspo-bot gaps"));
        assert!(FaqAdmin.server_only());
        assert_eq!(FaqAdmin.default_permissions(), Some(32));
    }
}
