//! The knowledge files as written on disk. These types mirror the TOML and
//! keep the position of every value that validation may need to point at.
//! Their fields are also the keys each table may have: unknown keys are
//! found, all of them, by walking the file against these types (see
//! `keys`), so serde itself is not asked to stop at the first.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

#[derive(Debug, Deserialize)]
pub struct ArticleFile {
    pub title: Spanned<String>,
    pub author: Spanned<String>,
    pub category: Spanned<String>,
    pub updated: Spanned<String>,
    pub url: Spanned<String>,
}

#[derive(Debug, Deserialize)]
pub struct ProviderFile {
    pub name: Spanned<String>,
    pub website: Spanned<String>,
    pub phone: Spanned<String>,
    pub about: Spanned<String>,
}

#[derive(Debug, Deserialize)]
pub struct CertificationsFile {
    #[serde(rename = "dimension")]
    pub dimensions: Vec<DimensionEntry>,
    #[serde(rename = "certification")]
    pub certifications: Vec<CertificationEntry>,
}

#[derive(Debug, Deserialize)]
pub struct DimensionEntry {
    pub id: Spanned<String>,
    pub label: Spanned<String>,
}

#[derive(Debug, Deserialize)]
pub struct CertificationEntry {
    pub id: Spanned<String>,
    pub name: Spanned<String>,
    pub issuer_url: Spanned<String>,
    pub values: Spanned<BTreeMap<Spanned<String>, Spanned<String>>>,
}

#[derive(Debug, Deserialize)]
pub struct TopicsFile {
    #[serde(rename = "topic")]
    pub topics: Vec<TopicEntry>,
}

#[derive(Debug, Deserialize)]
pub struct TopicEntry {
    pub id: Spanned<String>,
    pub title: Spanned<String>,
    #[serde(default)]
    pub about: Option<Spanned<String>>,
    pub questions: Spanned<Vec<Spanned<String>>>,
    #[serde(default)]
    pub examples: Vec<Spanned<String>>,
    #[serde(default)]
    pub keywords: Vec<Spanned<String>>,
    pub answer: Spanned<String>,
    #[serde(default)]
    pub related: Vec<Spanned<String>>,
    #[serde(default)]
    pub kind: Option<Spanned<String>>,
    #[serde(default)]
    pub gives: Vec<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
pub struct OutOfScopeFile {
    #[serde(rename = "category")]
    pub categories: Vec<CategoryEntry>,
}

#[derive(Debug, Deserialize)]
pub struct CategoryEntry {
    pub id: Spanned<String>,
    pub explain: Spanned<String>,
    pub ask: Spanned<String>,
    #[serde(default)]
    pub words: Vec<Spanned<String>>,
    #[serde(default)]
    pub questions: Vec<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
pub struct VocabularyFile {
    pub certifications: BTreeMap<Spanned<String>, CertificationNames>,
    #[serde(default)]
    pub related: BTreeMap<Spanned<String>, RelatedEntry>,
    #[serde(default)]
    pub phrases: BTreeMap<Spanned<String>, Spanned<String>>,
    #[serde(default)]
    pub concepts: BTreeMap<Spanned<String>, Vec<Spanned<String>>>,
    #[serde(default, rename = "combination")]
    pub combinations: Vec<CombinationEntry>,
    #[serde(default)]
    pub domain: DomainConcepts,
    #[serde(default)]
    pub ignore: IgnoreWords,
}

#[derive(Debug, Default, Deserialize)]
pub struct DomainConcepts {
    pub concepts: Vec<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
pub struct CertificationNames {
    pub home: Spanned<String>,
    pub names: Vec<Spanned<String>>,
    #[serde(default)]
    pub issuers: Vec<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
pub struct CombinationEntry {
    pub all: Vec<Spanned<String>>,
    #[serde(default)]
    pub none: Vec<Spanned<String>>,
    pub unknown: Spanned<String>,
}

#[derive(Debug, Deserialize)]
pub struct RelatedEntry {
    pub parent: Spanned<String>,
    #[serde(default = "yes")]
    pub alone: bool,
    pub names: Vec<Spanned<String>>,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Default, Deserialize)]
pub struct IgnoreWords {
    pub words: Vec<Spanned<String>>,
}
