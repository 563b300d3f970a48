//! Command names in replies as Discord's clickable command mentions
//! (`</ask:123>`), where the command's id is known: learned when the bot
//! registers its commands, and from every command interaction, which
//! carries its command's id. Until then a name stays plain `` `/ask` ``.

use std::collections::HashMap;
use std::sync::RwLock;

use crate::reply::Reply;

/// The ids of this process's commands: one application, one set of
/// commands, so one table for every transport and renderer.
pub fn known() -> &'static CommandIds {
    static KNOWN: std::sync::LazyLock<CommandIds> = std::sync::LazyLock::new(CommandIds::default);
    &KNOWN
}

/// The ids of the bot's commands, by name.
#[derive(Default)]
pub struct CommandIds {
    ids: RwLock<HashMap<String, u64>>,
}

impl CommandIds {
    /// Notes that the command `name` has id `id`. A command with
    /// subcommands is left out: its mention would have to name one.
    pub fn learn(&self, name: &str, id: u64, has_subcommands: bool) {
        if has_subcommands || id == 0 || crate::commands::find(name).is_none() {
            return;
        }
        let mut ids = self
            .ids
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if ids.get(name) != Some(&id) {
            ids.insert(name.to_string(), id);
        }
    }

    /// `reply` with every `` `/name` `` (or `` `/name more` ``) of a
    /// known command in its text turned into a mention.
    pub fn clickable(&self, mut reply: Reply) -> Reply {
        let ids = self
            .ids
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if ids.is_empty() {
            return reply;
        }
        reply.description = mention(&reply.description, &ids);
        for f in &mut reply.fields {
            f.value = mention(&f.value, &ids);
        }
        reply.within_limits()
    }
}

/// `text` with its code spans that start with a known command mentioned.
fn mention(text: &str, ids: &HashMap<String, u64>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("`/") {
        let Some(len) = rest[start + 1..].find('`') else {
            break;
        };
        let span = &rest[start + 1..start + 1 + len];
        out.push_str(&rest[..start]);
        let (name, more) = span[1..].split_once(' ').unwrap_or((&span[1..], ""));
        match ids.get(name) {
            Some(id) if more.is_empty() => out.push_str(&format!("</{name}:{id}>")),
            Some(id) => out.push_str(&format!("</{name}:{id}> `{more}`")),
            None => out.push_str(&rest[start..start + len + 2]),
        }
        rest = &rest[start + len + 2..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_commands_become_mentions_and_the_rest_stays() {
        let ids = CommandIds::default();
        let reply = Reply::card(
            "t",
            "Use `/topics`, or `/ask does PSPO expire?`; `code` stays.",
        );
        assert_eq!(ids.clickable(reply.clone()).description, reply.description);
        ids.learn("topics", 11, false);
        ids.learn("ask", 22, false);
        ids.learn("faq-admin", 33, true);
        ids.learn("nonsense", 44, false);
        let out = ids.clickable(reply).description;
        assert_eq!(
            out,
            "Use </topics:11>, or </ask:22> `does PSPO expire?`; `code` stays."
        );
        let admin = ids.clickable(Reply::card("t", "`/faq-admin gaps` and `/nonsense`"));
        assert_eq!(admin.description, "`/faq-admin gaps` and `/nonsense`");
        let open = ids.clickable(Reply::card("t", "an unclosed `/topics"));
        assert_eq!(open.description, "an unclosed `/topics");
    }
}
