//! Unknown keys, all of them. serde stops at the first key it does not
//! know; a maintainer who misspelt three wants to see three. Each file is
//! read a second time as a plain tree of tables that keeps every key's
//! position, and walked against the keys the file's types accept, which
//! come from the types themselves so the two can never disagree.

use std::cell::Cell;
use std::fmt;
use std::ops::Range;

use serde::de::{self, Deserialize, DeserializeOwned, Deserializer, MapAccess, SeqAccess, Visitor};
use toml::Spanned;

use super::diagnostic::{Diagnostic, SourceFile};
use super::model::*;
use super::suggest;

/// A TOML document as tables, arrays and leaves, with the position of
/// every key. (Values have none: an implicit table such as the
/// `certifications` of `[certifications.cspo]` has no text of its own.)
#[derive(Debug)]
pub enum Node {
    Table(Vec<(Spanned<String>, Node)>),
    Array(Vec<Node>),
    Leaf,
}

/// How toml hands a date-time to serde: a table with this one key.
const TOML_DATETIME_KEY: &str = "$__toml_private_datetime";

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Node, D::Error> {
        deserializer.deserialize_any(NodeVisitor)
    }
}

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a TOML value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<Node, E> {
        Ok(Node::Leaf)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Node, E> {
        Ok(Node::Leaf)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Node, E> {
        Ok(Node::Leaf)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Node, E> {
        Ok(Node::Leaf)
    }
    fn visit_str<E>(self, _: &str) -> Result<Node, E> {
        Ok(Node::Leaf)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Node>()? {
            items.push(item);
        }
        Ok(Node::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        let mut entries = Vec::new();
        while let Some(key) = map.next_key::<Spanned<String>>()? {
            if key.get_ref() == TOML_DATETIME_KEY {
                map.next_value::<de::IgnoredAny>()?;
                return Ok(Node::Leaf);
            }
            let value = map.next_value::<Node>()?;
            entries.push((key, value));
        }
        Ok(Node::Table(entries))
    }
}

/// What a table in a knowledge file may hold.
pub enum Shape {
    /// A table with the keys a type accepts; the listed ones hold more
    /// tables, the others are values.
    Table {
        what: &'static str,
        keys: &'static [&'static str],
        nested: Vec<(&'static str, Shape)>,
    },
    /// A table whose keys are names the maintainer chooses (concepts,
    /// phrases, certification ids), each holding `Shape`.
    Named(Box<Shape>),
    /// An array of tables (`[[topic]]`).
    Each(Box<Shape>),
    /// Any value.
    Value,
}

impl Shape {
    fn table<T: DeserializeOwned>(what: &'static str, nested: Vec<(&'static str, Shape)>) -> Shape {
        Shape::Table {
            what,
            keys: keys_of::<T>(),
            nested,
        }
    }

    fn each(shape: Shape) -> Shape {
        Shape::Each(Box::new(shape))
    }

    fn named(shape: Shape) -> Shape {
        Shape::Named(Box::new(shape))
    }
}

/// The shape of each knowledge file, by name.
pub fn shape_of(file: &str) -> Shape {
    let top = "the top level";
    match file {
        "article.toml" => Shape::table::<ArticleFile>(top, vec![]),
        "provider.toml" => Shape::table::<ProviderFile>(top, vec![]),
        "certifications.toml" => Shape::table::<CertificationsFile>(
            top,
            vec![
                (
                    "dimension",
                    Shape::each(Shape::table::<DimensionEntry>("a [[dimension]]", vec![])),
                ),
                (
                    "certification",
                    Shape::each(Shape::table::<CertificationEntry>(
                        "a [[certification]]",
                        vec![("values", Shape::named(Shape::Value))],
                    )),
                ),
            ],
        ),
        "topics.toml" => Shape::table::<TopicsFile>(
            top,
            vec![(
                "topic",
                Shape::each(Shape::table::<TopicEntry>("a [[topic]]", vec![])),
            )],
        ),
        "out-of-scope.toml" => Shape::table::<OutOfScopeFile>(
            top,
            vec![(
                "category",
                Shape::each(Shape::table::<CategoryEntry>("a [[category]]", vec![])),
            )],
        ),
        "vocabulary.toml" => Shape::table::<VocabularyFile>(
            top,
            vec![
                (
                    "certifications",
                    Shape::named(Shape::table::<CertificationNames>(
                        "a [certifications.*]",
                        vec![],
                    )),
                ),
                (
                    "related",
                    Shape::named(Shape::table::<RelatedEntry>("a [related.*]", vec![])),
                ),
                ("phrases", Shape::named(Shape::Value)),
                ("concepts", Shape::named(Shape::Value)),
                (
                    "combination",
                    Shape::each(Shape::table::<CombinationEntry>(
                        "a [[combination]]",
                        vec![],
                    )),
                ),
                ("domain", Shape::table::<DomainConcepts>("[domain]", vec![])),
                ("ignore", Shape::table::<IgnoreWords>("[ignore]", vec![])),
            ],
        ),
        _ => Shape::Value,
    }
}

/// A key no type accepts where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownKey {
    /// Where it is written.
    pub span: Range<usize>,
    /// The known key it is probably a misspelling of.
    pub meant: Option<&'static str>,
}

/// Every key of `node` that `shape` does not know, reported with the
/// nearest known key when one is a likely slip, or else the keys it may
/// be. Returns them, so that a key that is missing because it was
/// misspelt need not be reported again.
pub fn unknown_keys(
    file: &SourceFile<'_>,
    node: &Node,
    shape: &Shape,
    found: &mut Vec<Diagnostic>,
) -> Vec<UnknownKey> {
    let mut unknown = Vec::new();
    walk(file, node, shape, found, &mut unknown);
    unknown
}

fn walk(
    file: &SourceFile<'_>,
    node: &Node,
    shape: &Shape,
    found: &mut Vec<Diagnostic>,
    unknown: &mut Vec<UnknownKey>,
) {
    match (shape, node) {
        (Shape::Table { what, keys, nested }, Node::Table(entries)) => {
            for (key, value) in entries {
                let name = key.get_ref().as_str();
                if let Some(known) = keys.iter().find(|k| **k == name) {
                    if let Some((_, inner)) = nested.iter().find(|(k, _)| k == known) {
                        walk(file, value, inner, found, unknown);
                    }
                    continue;
                }
                let near = suggest::closest(name, keys.iter().copied());
                let hint = match near {
                    Some(k) => format!("did you mean `{k}`?"),
                    None => format!(
                        "the keys {what} may have are {}",
                        keys.iter()
                            .map(|k| format!("`{k}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                };
                unknown.push(UnknownKey {
                    span: key.span(),
                    meant: near.and_then(|n| keys.iter().copied().find(|k| *k == n)),
                });
                found.push(file.at(
                    key.span(),
                    format!("unknown key `{name}` in {what}; {hint}"),
                ));
            }
        }
        (Shape::Named(inner), Node::Table(entries)) => {
            for (_, value) in entries {
                walk(file, value, inner, found, unknown);
            }
        }
        (Shape::Each(inner), Node::Array(items)) => {
            for item in items {
                walk(file, item, inner, found, unknown);
            }
        }
        // A value of the wrong kind is serde's to report, with its type.
        _ => {}
    }
}

/// `text` with every misspelt key written as the key it was meant to be,
/// so the rest of the file can still be checked. Only the keys change, so
/// every line stays where it was.
pub fn with_keys_meant(text: &str, unknown: &[UnknownKey]) -> Option<String> {
    let mut fixed = text.to_string();
    let mut any = false;
    let mut keys: Vec<&UnknownKey> = unknown.iter().collect();
    // From the end, so the spans still to replace stay valid.
    keys.sort_by_key(|k| std::cmp::Reverse(k.span.start));
    for key in keys {
        if let Some(meant) = key.meant {
            if fixed.get(key.span.clone()).is_some() {
                fixed.replace_range(key.span.clone(), meant);
                any = true;
            }
        }
    }
    any.then_some(fixed)
}

/// The keys serde accepts for `T`, asked of serde itself: a deserializer
/// that only records the field list the derived code hands it.
fn keys_of<T: DeserializeOwned>() -> &'static [&'static str] {
    let recorder = FieldRecorder {
        fields: Cell::new(&[]),
    };
    // The recorder always stops with an error once it has the fields.
    let _ = T::deserialize(&recorder);
    recorder.fields.get()
}

struct FieldRecorder {
    fields: Cell<&'static [&'static str]>,
}

#[derive(Debug)]
struct Recorded;

impl fmt::Display for Recorded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("only the field names were asked for")
    }
}

impl std::error::Error for Recorded {}

impl de::Error for Recorded {
    fn custom<T: fmt::Display>(_: T) -> Recorded {
        Recorded
    }
}

impl<'de> Deserializer<'de> for &FieldRecorder {
    type Error = Recorded;

    fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Recorded> {
        Err(Recorded)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        _visitor: V,
    ) -> Result<V::Value, Recorded> {
        self.fields.set(fields);
        Err(Recorded)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map enum identifier ignored_any
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_keys_come_from_the_types() {
        assert_eq!(
            keys_of::<ProviderFile>(),
            ["name", "website", "phone", "about"]
        );
        assert!(keys_of::<VocabularyFile>().contains(&"combination"));
        assert!(keys_of::<TopicEntry>().contains(&"gives"));
    }

    #[test]
    fn every_unknown_key_is_found_at_every_level() {
        let text = "[[topic]]\nid = \"a\"\ntitel = \"x\"\ncolour = 1\n\n[[topic]]\nid = \"b\"\nqestions = []\n\n[extra]\nx = 1\n";
        let path = std::path::Path::new("topics.toml");
        let file = SourceFile { path, text };
        let node: Node = toml::from_str(text).unwrap_or(Node::Leaf);
        let mut found = Vec::new();
        let unknown = unknown_keys(&file, &node, &shape_of("topics.toml"), &mut found);
        let shown: Vec<String> = found.iter().map(ToString::to_string).collect();
        assert_eq!(shown.len(), 4, "{shown:?}");
        assert!(shown[0].starts_with(
            "topics.toml:3:1: unknown key `titel` in a [[topic]]; did you mean `title`?"
        ));
        assert!(shown[1].starts_with("topics.toml:4:1: unknown key `colour`"));
        assert!(shown[1].contains("`questions`"), "{}", shown[1]);
        assert!(shown[2].starts_with("topics.toml:8:1: unknown key `qestions`"));
        assert!(shown[3].starts_with("topics.toml:10:2: unknown key `extra` in the top level"));
        assert_eq!(unknown.len(), 4);
    }
}
